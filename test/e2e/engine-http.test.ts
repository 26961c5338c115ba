/**
 * End to end with the real CPU engine: a real photo and a real dance video from ../shared/fixtures
 * go in over HTTP; the task ends TASK_STATUS_SUCCEED and the downloaded video is checked with
 * ffprobe. A face-only video fails with VIDEO_NO_PERSON_DETECTED. Skips without the fixtures.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuEngine } from '../../src/engine/index.js';
import { pollUntilEnded, startService, type Service } from '../helpers/service-harness.js';
import { ffprobe } from '../helpers/service-media.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const have = existsSync(path.join(FIXTURES, 'MANIFEST.tsv'));
if (!have) console.warn(`engine e2e skipped: ${FIXTURES} not found (the real photos and videos live there)`);

describe.skipIf(!have)('engine end to end over HTTP (real fixtures)', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService({ engine: createCpuEngine({ threads: 2 }) });
  });
  afterAll(async () => { await svc?.close(); });

  async function create(image: string, video: string, extra: Record<string, unknown>): Promise<string> {
    const body = {
      image: (await readFile(path.join(FIXTURES, image))).toString('base64'),
      video: `data:video/mp4;base64,${(await readFile(path.join(FIXTURES, video))).toString('base64')}`,
      ...extra,
    };
    const res = await fetch(`${svc.baseUrl}/v3/async/kling-v2.6-pro-motion-control`, {
      method: 'POST', headers: { Authorization: `Bearer ${svc.apiKey}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { task_id: string }).task_id;
  }

  it('animates person2.jpg with dance1_6s.mp4 into a playable H.264 video of the same length with its audio', async () => {
    const id = await create('person2.jpg', 'dance1_6s.mp4', { character_orientation: 'video', keep_original_sound: true });
    const seen = await pollUntilEnded(svc, id, svc.apiKey, 600_000);
    const last = seen[seen.length - 1];
    expect(last.task.reason).toBe('');
    expect(last.task.status).toBe('TASK_STATUS_SUCCEED');
    expect(last.task.progress_percent).toBe(100);
    const pct = seen.map((s) => s.task.progress_percent);
    for (let i = 1; i < pct.length; i++) expect(pct[i]).toBeGreaterThanOrEqual(pct[i - 1]);
    expect(pct.some((p) => p > 0 && p < 100)).toBe(true);

    const res = await fetch(last.videos[0].video_url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('video/mp4');
    const file = path.join(svc.dir, 'downloaded.mp4');
    await import('node:fs/promises').then((fs) => res.arrayBuffer().then((b) => fs.writeFile(file, Buffer.from(b))));
    const probe = await ffprobe(file);
    const v = probe.streams.find((s) => s.codec_type === 'video')!;
    expect(v.codec_name).toBe('h264');
    expect(v.pix_fmt).toBe('yuv420p');
    expect([v.width, v.height]).toEqual([720, 1280]);
    expect(probe.streams.some((s) => s.codec_type === 'audio')).toBe(true);
    expect(Math.abs(Number(probe.format.duration) - 6.12)).toBeLessThan(0.15);
  });

  it('fails a face-only video with VIDEO_NO_PERSON_DETECTED and a reason a person can act on', async () => {
    const id = await create('person2.jpg', 'face1.mp4', { character_orientation: 'image' });
    const seen = await pollUntilEnded(svc, id, svc.apiKey, 300_000);
    const last = seen[seen.length - 1];
    expect(last.task.status).toBe('TASK_STATUS_FAILED');
    expect(last.task.reason).toMatch(/^VIDEO_NO_PERSON_DETECTED: .*frames/);
    expect(last.videos).toEqual([]);
  });
});
