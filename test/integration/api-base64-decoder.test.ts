/**
 * Base64 inputs are checked, decoded and inspected off the API's event loop: the decoder does it in worker
 * threads (it says which), refusals come back as the same AppErrors, and the create route hands both inputs to it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerBase64Decoder, type Base64Decoder } from '../../src/media/base64-decoder.js';
import { MAX_INPUT_BYTES } from '../../src/media/limits.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { startService } from '../helpers/service-harness.js';

describe('the base64 decoder', () => {
  let dir: string;
  let png: Buffer;
  let mp4: Buffer;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-b64-'));
    png = await readFile(await makePng(dir));
    mp4 = await readFile(await makeMp4(dir, { seconds: 3 }));
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('decodes and inspects in worker threads, writes the bytes, and refuses bad input with the catalogue\'s errors', async () => {
    const decoder = new WorkerBase64Decoder(2);
    const out = (name: string) => path.join(dir, name);
    try {
      const wrapped = png.toString('base64').replace(/.{76}/g, '$&\n');
      const results = await Promise.all(Array.from({ length: 4 }, (_, i) =>
        decoder.decodeAndInspect('image', { payload: i % 2 ? wrapped : png.toString('base64url'), what: 'base64' }, out(`image${i}.png`), 'video')));
      for (const [i, r] of results.entries()) {
        expect(r.bytes).toBe(png.length);
        expect(r.threadId).not.toBe(threadId);
        expect(r.inspected).toMatchObject({ field: 'image', info: { format: 'png', width: 480, height: 640 } });
        expect((await readFile(out(`image${i}.png`))).equals(png)).toBe(true);
      }
      // both threads took work
      expect(new Set(results.map((r) => r.threadId)).size).toBe(2);
      const video = await decoder.decodeAndInspect('video', { payload: mp4.toString('base64'), what: 'base64' }, out('video.mp4'), 'video');
      expect(video.inspected).toMatchObject({ field: 'video', info: { container: 'mp4', width: 640, height: 360 } });
      await expect(decoder.decodeAndInspect('video', { payload: 'not base64!', what: 'base64' }, out('bad.bin'), 'video'))
        .rejects.toMatchObject({ reason: 'INVALID_REQUEST_BODY', metadata: { field: 'video' } });
      await expect(decoder.decodeAndInspect('image', { payload: 'A'.repeat(Math.ceil((MAX_INPUT_BYTES + 3) / 3) * 4), what: 'base64' }, out('big.bin'), 'video'))
        .rejects.toMatchObject({ reason: 'IMAGE_FILE_EXCEEDS_MAX_SIZE', metadata: { field: 'image', limit: MAX_INPUT_BYTES } });
      await expect(decoder.decodeAndInspect('image', { payload: randomBytes(3000).toString('base64'), what: 'base64' }, out('noise.bin'), 'video'))
        .rejects.toMatchObject({ reason: 'INVALID_IMAGE_FORMAT', metadata: { field: 'image' } });
      // a refusal leaves the thread working
      expect((await decoder.decodeAndInspect('image', { payload: png.toString('base64'), what: 'base64' }, out('after.png'), 'video')).bytes).toBe(png.length);
    } finally {
      await decoder.close();
    }
    await expect(decoder.decodeAndInspect('image', { payload: 'AAAA', what: 'base64' }, out('closed.bin'), 'video')).rejects.toThrow(/closed/);
  });

  it('is what the create route decodes both inputs with', async () => {
    const real = new WorkerBase64Decoder(1);
    const calls: { field: string; threadId: number }[] = [];
    const recording: Base64Decoder = {
      async decodeAndInspect(field, input, dest, orientation) {
        const r = await real.decodeAndInspect(field, input, dest, orientation);
        calls.push({ field, threadId: r.threadId });
        return r;
      },
      close: () => real.close(),
    };
    const svc = await startService({ app: { base64Decoder: recording } });
    try {
      const image = png.toString('base64');
      const video = mp4.toString('base64');
      const ok = await svc.app.inject({ method: 'POST', url: '/v3/async/kling-v2.6-pro-motion-control', headers: { authorization: svc.apiKey },
        payload: { image, video: `data:video/mp4;base64,${video}`, character_orientation: 'video' } });
      expect(ok.statusCode).toBe(200);
      expect(calls.map((c) => c.field).sort()).toEqual(['image', 'video']);
      expect(calls.every((c) => c.threadId !== threadId)).toBe(true);
      const bad = await svc.app.inject({ method: 'POST', url: '/v3/async/kling-v2.6-pro-motion-control', headers: { authorization: svc.apiKey },
        payload: { image: 'not base64!', video, character_orientation: 'video' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ reason: 'INVALID_REQUEST_BODY', metadata: { field: 'image' } });
    } finally {
      await svc.close();
      await real.close();
    }
  });
});
