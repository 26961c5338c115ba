/** Decode a JPEG/PNG to RGBA with ffmpeg (EXIF orientation applied), and write raw frames as PNG. */
import { readFile } from 'node:fs/promises';
import { AppError } from '../domain/errors.js';
import { runFfmpeg } from './ffmpeg.js';
import { decodeImageArgs, pngArgs } from './ffmpeg-args.js';
import { readImageHeader, swapsSides } from './image-header.js';
import { checkImagePixels } from './limits.js';

export interface RgbaImage { width: number; height: number; channels: 4; data: Uint8Array }

export async function readImageRgba(path: string): Promise<RgbaImage> {
  const bytes = await readFile(path);
  const header = readImageHeader(bytes);
  if (!header) {
    throw new AppError('INVALID_IMAGE_FORMAT', 'image could not be read: it is not a JPEG or PNG, or its header is damaged', { field: 'image' });
  }
  // Refused from the header: a 60000x60000 PNG never reaches the decoder.
  checkImagePixels(header.width, header.height);
  const { stdout } = await runFfmpeg(decodeImageArgs({ input: path, orientation: header.orientation }), { timeoutMs: 60_000 });
  const expected = header.width * header.height * 4;
  if (stdout.length !== expected) {
    const stored = swapsSides(header.orientation) ? `${header.height}x${header.width}` : `${header.width}x${header.height}`;
    throw new AppError('INVALID_IMAGE_FORMAT',
      `image could not be decoded: its header says ${stored} px but ${stdout.length} bytes of pixels came out (expected ${expected})`, { field: 'image' });
  }
  return { width: header.width, height: header.height, channels: 4, data: new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length) };
}

const PIX_FMT = { 1: 'gray', 3: 'rgb24', 4: 'rgba' } as const;

export async function writePng(path: string, img: { width: number; height: number; channels: 1 | 3 | 4; data: Uint8Array }): Promise<void> {
  const expected = img.width * img.height * img.channels;
  if (img.data.length !== expected) {
    throw new RangeError(`image data is ${img.data.length} bytes; ${img.width}x${img.height}x${img.channels} needs ${expected}`);
  }
  const stdin = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  await runFfmpeg(pngArgs({ output: path, width: img.width, height: img.height, pixFmt: PIX_FMT[img.channels] }), { stdin, timeoutMs: 60_000 });
}
