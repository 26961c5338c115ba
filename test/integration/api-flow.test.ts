/** The whole path over real HTTP: create with base64 inputs → worker (engine double) → SUCCEED → download. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegEngineDouble } from '../helpers/service-engine-double.js';
import { ffprobe, makeMp4, makePng } from '../helpers/service-media.js';
import { pollUntilEnded, startService, type Service } from '../helpers/service-harness.js';
import { createStoredKey } from '../../src/api/auth.js';

const ENDPOINT = '/v3/async/kling-v2.6-pro-motion-control';

describe('create → poll → download', () => {
  let svc: Service;
  let media: string;
  let imageB64: string;
  let videoB64: string;
  const engine = new FfmpegEngineDouble({ stepDelayMs: 150 });

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-media-'));
    imageB64 = (await readFile(await makePng(media))).toString('base64');
    videoB64 = (await readFile(await makeMp4(media, { seconds: 4 }))).toString('base64');
    svc = await startService({ engine });
  });
  afterAll(async () => {
    await svc?.close();
    await rm(media, { recursive: true, force: true });
  });

  const create = (body: unknown, key = svc.apiKey) => fetch(`${svc.baseUrl}${ENDPOINT}`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body),
  });

  it('runs a task from base64 inputs to a downloadable MP4', async () => {
    const res = await create({ image: `data:image/png;base64,${imageB64}`, video: videoB64, character_orientation: 'video', prompt: 'a stage', unknown_field: 1 });
    expect(res.status).toBe(200);
    const { task_id: taskId } = await res.json() as { task_id: string };
    expect(taskId).toMatch(/^[A-Za-z0-9_-]{22,}$/);

    const seen = await pollUntilEnded(svc, taskId);
    const last = seen[seen.length - 1];
    expect(last.task.reason).toBe('');
    expect(last.task.status).toBe('TASK_STATUS_SUCCEED');
    expect(last.task).toMatchObject({ task_id: taskId, task_type: 'KLING_V2_6_PRO_MOTION_CONTROL', eta: 0, progress_percent: 100 });
    expect(last.images).toEqual([]);
    expect(last.audios).toEqual([]);
    const d = last.extra.debug_info;
    expect(d.request_info).toBe('');
    expect(Number(d.submit_time_ms)).toBeLessThanOrEqual(Number(d.execute_time_ms));
    expect(Number(d.execute_time_ms)).toBeLessThanOrEqual(Number(d.complete_time_ms));

    // progress: integers, never decreasing, 100 only with SUCCEED; at least one in-between value was observed
    const pcts = seen.map((b) => b.task.progress_percent);
    for (let i = 1; i < pcts.length; i++) expect(pcts[i]).toBeGreaterThanOrEqual(pcts[i - 1]);
    for (const b of seen) {
      expect(Number.isInteger(b.task.progress_percent)).toBe(true);
      if (b.task.status !== 'TASK_STATUS_SUCCEED') { expect(b.task.progress_percent).toBeLessThan(100); expect(b.videos).toEqual([]); }
      if (b.task.status === 'TASK_STATUS_QUEUED') expect(b.extra.debug_info.execute_time_ms).toBe('');
    }
    expect(pcts.some((p) => p > 0 && p < 100)).toBe(true);

    // the engine got the inputs as files, the prompt passed through
    const req = engine.requests[engine.requests.length - 1];
    expect(path.basename(req.imagePath)).toBe('image.png');
    expect(path.basename(req.videoPath)).toBe('video.mp4');
    expect(req).toMatchObject({ orientation: 'video', keepOriginalSound: true, prompt: 'a stage' });

    expect(last.videos).toHaveLength(1);
    const v = last.videos[0];
    expect(v.video_url_ttl).toBe('3600');
    expect(v.video_type).toBe('mp4');
    const url = new URL(v.video_url);
    expect(url.origin).toBe(svc.config.publicUrl);

    // whole file, no API key needed
    const whole = await fetch(v.video_url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(Number(whole.headers.get('content-length'))).toBe(bytes.length);
    const out = path.join(media, 'downloaded.mp4');
    await writeFile(out, bytes);
    const probe = await ffprobe(out);
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    expect(video.codec_name).toBe('h264');
    expect(video.pix_fmt).toBe('yuv420p');
    expect(probe.streams.some((s) => s.codec_type === 'audio')).toBe(true);
    expect(Number(probe.format.duration)).toBeCloseTo(4, 0);

    // a single range → 206 with exactly those bytes
    const part = await fetch(v.video_url, { headers: { range: 'bytes=100-1099' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${bytes.length}`);
    expect(part.headers.get('content-length')).toBe('1000');
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 1100))).toBe(true);
    const tail = await fetch(v.video_url, { headers: { range: 'bytes=-10' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 10))).toBe(true);
    const bad = await fetch(v.video_url, { headers: { range: `bytes=${bytes.length}-` } });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect(await bad.json()).toMatchObject({ code: 416, reason: 'RANGE_NOT_SATISFIABLE', metadata: { field: 'range', limit: bytes.length } });
    // RFC 9110: a range this server cannot use is ignored, and a stale If-Range gets the whole file
    for (const range of ['items=0-9', 'bytes=abc', 'bytes=50-10']) {
      const ignored = await fetch(v.video_url, { headers: { range } });
      expect(ignored.status, range).toBe(200);
      expect((await ignored.arrayBuffer()).byteLength).toBe(bytes.length);
    }
    const lastModified = part.headers.get('last-modified')!;
    const stale = await fetch(v.video_url, { headers: { range: 'bytes=0-9', 'if-range': 'Mon, 01 Jan 2024 00:00:00 GMT' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const fresh = await fetch(v.video_url, { headers: { range: 'bytes=0-9', 'if-range': lastModified } });
    expect(fresh.status).toBe(206);
    await fresh.arrayBuffer();
  });

  it('keep_original_sound=false gives an output without audio', async () => {
    const res = await create({ image: imageB64, video: videoB64, character_orientation: 'image', keep_original_sound: false });
    expect(res.status).toBe(200);
    const { task_id: taskId } = await res.json() as { task_id: string };
    const last = (await pollUntilEnded(svc, taskId)).pop()!;
    expect(last.task.status).toBe('TASK_STATUS_SUCCEED');
    const out = path.join(media, 'silent.mp4');
    await writeFile(out, Buffer.from(await (await fetch(last.videos[0].video_url)).arrayBuffer()));
    expect((await ffprobe(out)).streams.some((s) => s.codec_type === 'audio')).toBe(false);
  });

  it('a task belongs to its key: another key gets TASK_NOT_FOUND, as for an unknown id', async () => {
    const res = await create({ image: imageB64, video: videoB64, character_orientation: 'video' });
    const { task_id: taskId } = await res.json() as { task_id: string };
    const { key: other } = await createStoredKey(svc.backend.keys, 'other', Date.now());
    const asOther = await fetch(`${svc.baseUrl}/v3/async/task-result?task_id=${taskId}`, { headers: { authorization: other } });
    const unknown = await fetch(`${svc.baseUrl}/v3/async/task-result?task_id=nope`, { headers: { authorization: other } });
    expect(asOther.status).toBe(404);
    const a = await asOther.json();
    expect(a).toEqual(await unknown.json());
    expect(a).toMatchObject({ code: 404, reason: 'TASK_NOT_FOUND' });
    // the bare key (as the official SDK sends it) works for the owner
    const mine = await fetch(`${svc.baseUrl}/v3/async/task-result?task_id=${taskId}`, { headers: { authorization: svc.apiKey } });
    expect(mine.status).toBe(200);
    await pollUntilEnded(svc, taskId);
  });

  it('answers health and readiness', async () => {
    expect((await fetch(`${svc.baseUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${svc.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', failed: [] });
  });
});
