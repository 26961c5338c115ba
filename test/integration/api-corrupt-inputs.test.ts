/**
 * A valid header over corrupt data is the client's 400 at submit, naming what was wrong: a PNG cut inside its
 * pixel data, an MP4 whose media data is zeroed. (Before, both passed submit and failed later as an engine error.)
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { startService, type Service } from '../helpers/service-harness.js';

/** The PNG's first two thirds from its IDAT on: the header and IHDR intact, the pixels cut short. */
function cutPng(png: Buffer): Buffer {
  const idat = png.indexOf('IDAT');
  return png.subarray(0, idat + 4 + Math.floor((png.length - idat) / 3));
}

/** The MP4 with every byte of its mdat payload zeroed: boxes and sizes intact, no decodable picture. */
function zeroMdat(mp4: Buffer): Buffer {
  const out = Buffer.from(mp4);
  const at = out.indexOf('mdat');
  const size = out.readUInt32BE(at - 4);
  out.fill(0, at + 4, at - 4 + size);
  return out;
}

describe('corrupt inputs behind valid headers', () => {
  let media: string;
  let svc: Service;
  let png: Buffer;
  let mp4: Buffer;
  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-corrupt-'));
    png = await readFile(await makePng(media));
    mp4 = await readFile(await makeMp4(media, { seconds: 3 }));
    svc = await startService();
  });
  afterAll(async () => {
    await svc?.close();
    await rm(media, { recursive: true, force: true });
  });

  const create = (image: Buffer, video: Buffer) => svc.app.inject({
    method: 'POST', url: '/v3/async/kling-v2.6-pro-motion-control', headers: { authorization: svc.apiKey },
    payload: { image: image.toString('base64'), video: video.toString('base64'), character_orientation: 'video' },
  });

  it('a PNG whose pixel data ends early is INVALID_IMAGE_FORMAT saying so', async () => {
    const r = await create(cutPng(png), mp4);
    expect(r.statusCode).toBe(400);
    const body = r.json() as { reason: string; message: string; metadata: { field: string } };
    expect(body).toMatchObject({ reason: 'INVALID_IMAGE_FORMAT', metadata: { field: 'image', actual: 'PNG' } });
    expect(body.message).toMatch(/^image could not be decoded: its PNG data is damaged or cut short \(.+\)$/);
  });

  it('an MP4 whose media data is zeroed is INVALID_VIDEO_FORMAT saying so', async () => {
    const r = await create(png, zeroMdat(mp4));
    expect(r.statusCode).toBe(400);
    const body = r.json() as { reason: string; message: string };
    expect(body).toMatchObject({ reason: 'INVALID_VIDEO_FORMAT', metadata: { field: 'video', actual: 'H264' } });
    expect(body.message).toMatch(/^video could not be decoded: its H264 data is damaged or cut short \(.+\)$/);
  });

  it('the intact files still pass', async () => {
    expect((await create(png, mp4)).statusCode).toBe(200);
  });
});
