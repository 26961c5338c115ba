import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { exifOrientation, readImageHeader } from '../../src/media/image-header.js';
import { readImageRgba } from '../../src/media/image-reader.js';
import { inspectImageFile } from '../../src/media/inspect.js';
import { isobmffBrand, sniffFormat } from '../../src/media/sniff.js';
import { crc32 } from '../helpers/crc32.js';

// ---- byte builders: real headers made in code ----
function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(width: number, height: number, colorType = 2, extra: Buffer[] = []): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = colorType;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', ihdr), ...extra,
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])), pngChunk('IEND', Buffer.alloc(0))]);
}
/** TIFF block with IFD0 holding only the Orientation tag. */
function tiff(orientation: number, littleEndian: boolean): Buffer {
  const b = Buffer.alloc(26);
  const w16 = (v: number, at: number): number => (littleEndian ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at));
  const w32 = (v: number, at: number): number => (littleEndian ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
  b.write(littleEndian ? 'II' : 'MM', 0, 'latin1'); w16(42, 2); w32(8, 4);
  w16(1, 8); w16(0x0112, 10); w16(3, 12); w32(1, 14); w16(orientation, 18); w32(0, 22);
  return b;
}
function segment(marker: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]), body]);
}
function jpeg(width: number, height: number, o: { orientation?: number; littleEndian?: boolean; sof?: number } = {}): Buffer {
  const parts: Buffer[] = [Buffer.from([0xff, 0xd8])];
  parts.push(segment(0xe0, Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1')));
  if (o.orientation !== undefined) parts.push(segment(0xe1, Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff(o.orientation, o.littleEndian ?? false)])));
  parts.push(segment(0xc4, Buffer.alloc(20))); // a DHT before the frame header (0xC4 is not a SOF)
  const sof = Buffer.from([8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1]);
  parts.push(segment(o.sof ?? 0xc0, sof));
  parts.push(segment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0])), Buffer.from([0x12, 0x34, 0xff, 0xd9]));
  return Buffer.concat(parts);
}
const riff = (kind: string): Buffer => Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.from([0x24, 0, 0, 0]), Buffer.from(kind, 'latin1'), Buffer.alloc(20)]);
const ftyp = (brand: string): Buffer => Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from(`ftyp${brand}`, 'latin1'), Buffer.alloc(20)]);

describe('sniffFormat', () => {
  it.each([
    ['jpeg', jpeg(400, 300)],
    ['png', png(400, 300)],
    ['isobmff', ftyp('isom')],
    ['isobmff', ftyp('qt  ')],
    ['isobmff', Buffer.concat([Buffer.from([0, 0, 0, 8]), Buffer.from('wide', 'latin1'), Buffer.alloc(8)])],
    ['avi', riff('AVI LIST')],
    ['webp', riff('WEBPVP8 ')],
    ['matroska', Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01])],
    ['gif', Buffer.from('GIF89a\x10\x00\x10\x00\x00\x00\x00', 'latin1')],
    ['bmp', Buffer.concat([Buffer.from('BM', 'latin1'), Buffer.from([0x36, 0, 1, 0, 0, 0, 0, 0, 0x36, 0, 0, 0])])],
    ['text', Buffer.from('version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\n', 'utf8')],
    ['text', Buffer.from('héllo wörld, plain UTF-8 text\r\n', 'utf8')],
    ['unknown', Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08])],
    ['unknown', Buffer.alloc(0)],
    ['unknown', Buffer.from([0xff, 0xd8])], // too short to be a JPEG
  ] as const)('%s', (expected, bytes) => {
    expect(sniffFormat(bytes)).toBe(expected);
  });

  it('does not take a text file whose 5th-8th characters spell "ftyp" for a zero-length box', () => {
    expect(sniffFormat(Buffer.from('\0\0\0\0ftypisom', 'latin1'))).toBe('unknown');
  });

  it('reads the ISO BMFF major brand', () => {
    expect(isobmffBrand(ftyp('qt  '))).toBe('qt  ');
    expect(isobmffBrand(ftyp('heic'))).toBe('heic');
    expect(isobmffBrand(png(1, 1))).toBe('');
  });
});

describe('readImageHeader', () => {
  it('reads PNG IHDR size and alpha from the colour type', () => {
    expect(readImageHeader(png(640, 480, 2))).toEqual({ format: 'png', width: 640, height: 480, hasAlpha: false, orientation: 1 });
    expect(readImageHeader(png(640, 480, 6))?.hasAlpha).toBe(true);
    expect(readImageHeader(png(640, 480, 4))?.hasAlpha).toBe(true);
  });

  it('counts a tRNS chunk as alpha and reads an eXIf orientation in a PNG', () => {
    expect(readImageHeader(png(640, 480, 3, [pngChunk('tRNS', Buffer.from([0]))]))?.hasAlpha).toBe(true);
    const h = readImageHeader(png(640, 480, 2, [pngChunk('eXIf', tiff(6, true))]));
    expect(h).toMatchObject({ width: 480, height: 640, orientation: 6 });
  });

  it('reads JPEG SOF0 and progressive SOF2 sizes, skipping other segments', () => {
    expect(readImageHeader(jpeg(1280, 720))).toEqual({ format: 'jpeg', width: 1280, height: 720, hasAlpha: false, orientation: 1 });
    expect(readImageHeader(jpeg(301, 999, { sof: 0xc2 }))).toMatchObject({ width: 301, height: 999 });
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('applies EXIF orientation %i to the display size (big- and little-endian)', (o) => {
    const swapped = o >= 5;
    for (const littleEndian of [false, true]) {
      const h = readImageHeader(jpeg(800, 600, { orientation: o, littleEndian }));
      expect(h).toEqual({ format: 'jpeg', width: swapped ? 600 : 800, height: swapped ? 800 : 600, hasAlpha: false, orientation: o });
    }
  });

  it('treats an out-of-range orientation as 1', () => {
    expect(readImageHeader(jpeg(800, 600, { orientation: 9 }))?.orientation).toBe(1);
    expect(exifOrientation(Buffer.from('XX'))).toBe(1);
  });

  it('returns null for truncated, zero-size or foreign data', () => {
    expect(readImageHeader(jpeg(800, 600).subarray(0, 30))).toBeNull();
    expect(readImageHeader(png(800, 600).subarray(0, 20))).toBeNull();
    expect(readImageHeader(png(0, 600))).toBeNull();
    expect(readImageHeader(ftyp('isom'))).toBeNull();
    // A scan before any frame header.
    expect(readImageHeader(Buffer.concat([Buffer.from([0xff, 0xd8]), segment(0xda, Buffer.alloc(6))]))).toBeNull();
  });
});

describe('refusal from the header alone', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'media-header-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it('a PNG whose IHDR claims 60000x60000 is IMAGE_EXCEEDS_MAX_RESOLUTION without decoding', async () => {
    const file = path.join(dir, 'huge.png');
    await writeFile(file, png(60000, 60000)); // ~70 bytes: its pixel data could never decode
    // Started one at a time: a second rejection left pending while the first is awaited is unhandled.
    for (const attempt of [() => inspectImageFile(file), () => readImageRgba(file)]) {
      const err = await attempt().then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect(err).toMatchObject({ reason: 'IMAGE_EXCEEDS_MAX_RESOLUTION', metadata: { field: 'image', limit: 50_000_000, actual: 3_600_000_000 } });
    }
  });

  it('judges format by bytes: JPEG data named .png is a JPEG; GIF data is refused naming GIF', async () => {
    const named = path.join(dir, 'photo.png');
    await writeFile(named, jpeg(704, 1216));
    expect(await inspectImageFile(named, { decode: false })).toEqual({ format: 'jpeg', width: 704, height: 1216, bytes: jpeg(704, 1216).length, hasAlpha: false, orientation: 1 });
    const gif = path.join(dir, 'anim.jpg');
    await writeFile(gif, Buffer.from('GIF89a\x10\x00\x10\x00\x00\x00\x00', 'latin1'));
    await expect(inspectImageFile(gif)).rejects.toMatchObject({ reason: 'INVALID_IMAGE_FORMAT', message: 'image is a GIF image; only JPEG or PNG is accepted' });
  });

  it('checks the display size after EXIF rotation: 1000x400 stored, orientation 6, is 400x1000 (aspect exactly 1:2.5 fits)', async () => {
    const file = path.join(dir, 'rot.jpg');
    await writeFile(file, jpeg(1000, 400, { orientation: 6 }));
    expect(await inspectImageFile(file, { decode: false })).toMatchObject({ width: 400, height: 1000, orientation: 6 });
    await writeFile(file, jpeg(1000, 299, { orientation: 8 }));
    await expect(inspectImageFile(file)).rejects.toMatchObject({ reason: 'INVALID_IMAGE_SIZE', metadata: { actual: '299x1000' } });
  });
});
