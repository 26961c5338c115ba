/** readImageRgba / writePng against real ffmpeg, including all eight EXIF orientations. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { fitPixels, readImageRgba, writePng } from '../../src/media/image-reader.js';
import { inspectImageFile } from '../../src/media/inspect.js';
import { crc32 } from '../helpers/crc32.js';

let dir: string;
const file = (name: string): string => path.join(dir, name);
beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'media-image-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

/** Big-endian TIFF whose IFD0 holds only Orientation. */
function exifTiff(orientation: number): Buffer {
  const b = Buffer.alloc(26);
  b.write('MM', 0, 'latin1'); b.writeUInt16BE(42, 2); b.writeUInt32BE(8, 4);
  b.writeUInt16BE(1, 8); b.writeUInt16BE(0x0112, 10); b.writeUInt16BE(3, 12); b.writeUInt32BE(1, 14); b.writeUInt16BE(orientation, 18);
  return b;
}
/** Insert an eXIf chunk right after IHDR (PNG signature 8 bytes + IHDR 25 bytes). */
function withPngExif(png: Buffer, orientation: number): Buffer {
  const data = exifTiff(orientation);
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from('eXIf', 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([png.subarray(0, 33), len, body, crc, png.subarray(33)]);
}
/** Insert an APP1 Exif segment right after SOI. */
function withJpegExif(jpeg: Buffer, orientation: number): Buffer {
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff(orientation)]);
  return Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body, jpeg.subarray(2)]);
}

/** Where stored pixel (x, y) of a w×h image lands for each EXIF orientation. */
function displayed(o: number, x: number, y: number, w: number, h: number): [number, number] {
  switch (o) {
    case 2: return [w - 1 - x, y];
    case 3: return [w - 1 - x, h - 1 - y];
    case 4: return [x, h - 1 - y];
    case 5: return [y, x];
    case 6: return [h - 1 - y, x];
    case 7: return [h - 1 - y, w - 1 - x];
    case 8: return [y, w - 1 - x];
    default: return [x, y];
  }
}

describe('writePng + readImageRgba', () => {
  it('round-trips RGBA exactly, and expands gray and RGB to RGBA', async () => {
    const w = 37;
    const h = 23;
    const rgba = new Uint8Array(w * h * 4).map((_, i) => (i * 97 + (i >> 3)) & 0xff);
    await writePng(file('rgba.png'), { width: w, height: h, channels: 4, data: rgba });
    expect(await readImageRgba(file('rgba.png'))).toEqual({ width: w, height: h, channels: 4, data: rgba, source: { width: w, height: h } });

    const gray = new Uint8Array(w * h).map((_, i) => i & 0xff);
    await writePng(file('gray.png'), { width: w, height: h, channels: 1, data: gray });
    const g = await readImageRgba(file('gray.png'));
    expect([...g.data.subarray(40 * 4, 40 * 4 + 4)]).toEqual([40, 40, 40, 255]);

    const rgb = new Uint8Array(w * h * 3).map((_, i) => (i * 31) & 0xff);
    await writePng(file('rgb.png'), { width: w, height: h, channels: 3, data: rgb });
    const c = await readImageRgba(file('rgb.png'));
    expect([...c.data.subarray(7 * 4, 7 * 4 + 4)]).toEqual([...rgb.subarray(21, 24), 255]);
  });

  it('refuses data of the wrong length', async () => {
    await expect(writePng(file('bad.png'), { width: 4, height: 4, channels: 3, data: new Uint8Array(47) })).rejects.toThrow(RangeError);
  });

  let plainPng: Buffer | null = null;
  it.each([1, 2, 3, 4, 5, 6, 7, 8])('applies EXIF orientation %i exactly (PNG eXIf)', async (o) => {
    const w = 6;
    const h = 4;
    if (!plainPng) {
      const stored = new Uint8Array(w * h * 4);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) stored.set([x * 40, y * 60, 7, 255], (y * w + x) * 4);
      await writePng(file('plain.png'), { width: w, height: h, channels: 4, data: stored });
      plainPng = await readFile(file('plain.png'));
    }
    await writeFile(file(`o${o}.png`), withPngExif(plainPng, o));
    const img = await readImageRgba(file(`o${o}.png`));
    const dw = o >= 5 ? h : w;
    expect([img.width, img.height]).toEqual(o >= 5 ? [h, w] : [w, h]);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [dx, dy] = displayed(o, x, y, w, h);
        expect([...img.data.subarray((dy * dw + dx) * 4, (dy * dw + dx) * 4 + 4)]).toEqual([x * 40, y * 60, 7, 255]);
      }
    }
  });

  it('rotates an EXIF-6 JPEG once (ffmpeg\'s own autorotate is off)', async () => {
    // Stored 400x300: left half red, right half blue. Displayed 300x400: top red, bottom blue.
    await runFfmpeg(['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=red:s=200x300', '-f', 'lavfi', '-i', 'color=c=blue:s=200x300',
      '-filter_complex', 'hstack', '-frames:v', '1', '-q:v', '2', file('stored.jpg')]);
    await writeFile(file('o6.jpg'), withJpegExif(await readFile(file('stored.jpg')), 6));
    expect(await inspectImageFile(file('o6.jpg'))).toMatchObject({ width: 300, height: 400, orientation: 6 });
    const img = await readImageRgba(file('o6.jpg'));
    expect([img.width, img.height]).toEqual([300, 400]);
    const px = (x: number, y: number): number[] => [...img.data.subarray((y * 300 + x) * 4, (y * 300 + x) * 4 + 3)];
    const top = px(150, 50);
    const bottom = px(150, 350);
    expect(top[0]).toBeGreaterThan(200); expect(top[2]).toBeLessThan(60);
    expect(bottom[2]).toBeGreaterThan(200); expect(bottom[0]).toBeLessThan(60);
  });

  it('fits a size within a pixel budget, rounding down, aspect kept', () => {
    expect(fitPixels(7000, 7000, 3_000_000)).toEqual({ width: 1732, height: 1732 });
    expect(fitPixels(640, 480, 3_000_000)).toEqual({ width: 640, height: 480 });
    expect(fitPixels(640, 480, undefined)).toEqual({ width: 640, height: 480 });
    for (const [w, h] of [[7001, 3333], [9999, 4001], [5000, 9973]]) {
      const f = fitPixels(w, h, 3_000_000);
      expect(f.width * f.height).toBeLessThanOrEqual(3_000_000);
      expect(Math.abs(f.width / f.height - w / h)).toBeLessThan(0.01);
    }
  });

  it('decodes a 7000x7000 PNG at the working size (ffmpeg scales while decoding), naming its size as sent', async () => {
    // 49 MP (under the 50 MP cap) of two flat halves: a small file that would decode to 196 MB of RGBA.
    await runFfmpeg(['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0xcc6633:s=3500x7000', '-f', 'lavfi', '-i', 'color=c=0x3366cc:s=3500x7000',
      '-filter_complex', 'hstack', '-frames:v', '1', file('huge.png')], { timeoutMs: 60_000 });
    const img = await readImageRgba(file('huge.png'), { maxPixels: 3_000_000 });
    expect([img.width, img.height]).toEqual([1732, 1732]);
    expect(img.data.length).toBe(1732 * 1732 * 4);
    expect(img.source).toEqual({ width: 7000, height: 7000 });
    const px = (x: number, y: number): number[] => [...img.data.subarray((y * 1732 + x) * 4, (y * 1732 + x) * 4 + 3)];
    // swscale's RGB path is off by a level or two
    const near = (got: number[], want: number[]) => expect(got.every((v, i) => Math.abs(v - want[i]) <= 4), `${got} vs ${want}`).toBe(true);
    near(px(100, 800), [0xcc, 0x66, 0x33]);
    near(px(1632, 800), [0x33, 0x66, 0xcc]);
    // Cut inside its pixel data: refused as the client's file, naming the size that was sent.
    const whole = await readFile(file('huge.png'));
    await writeFile(file('huge-cut.png'), whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(readImageRgba(file('huge-cut.png'), { maxPixels: 3_000_000 })).rejects.toMatchObject({
      reason: 'INVALID_IMAGE_FORMAT', message: expect.stringContaining('7000x7000') as unknown,
    });
  });

  it('scales an EXIF-rotated JPEG after turning it (the budget applies to its display size)', async () => {
    const img = await readImageRgba(file('o6.jpg'), { maxPixels: 30_000 });
    expect([img.width, img.height]).toEqual([150, 200]);
    expect(img.source).toEqual({ width: 300, height: 400 });
    const px = (x: number, y: number): number[] => [...img.data.subarray((y * 150 + x) * 4, (y * 150 + x) * 4 + 3)];
    expect(px(75, 25)[0]).toBeGreaterThan(200);
    expect(px(75, 175)[2]).toBeGreaterThan(200);
  });
});
