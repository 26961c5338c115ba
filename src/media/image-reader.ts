/**
 * Decode a JPEG/PNG to RGBA with ffmpeg (EXIF orientation applied), and write raw frames as PNG. A picture
 * larger than the caller's working size is scaled by ffmpeg while it decodes, so a 7000×7000 PNG never
 * becomes 196 MB of pixels in this process.
 */
import { readFile } from 'node:fs/promises';
import { AppError } from '../domain/errors.js';
import { FfmpegError, runFfmpeg } from './ffmpeg.js';
import { decodeImageArgs, pngArgs } from './ffmpeg-args.js';
import { readImageHeader, swapsSides } from './image-header.js';
import { checkImagePixels } from './limits.js';

export interface RgbaImage {
  width: number; height: number; channels: 4; data: Uint8Array;
  /** The picture's size as sent (display orientation), before any scaling: what messages to the user name. */
  source: { width: number; height: number };
}

export interface ReadImageOptions {
  /** Decode at most this many pixels: a larger picture is scaled down (aspect kept) while it decodes. */
  maxPixels?: number;
}

/** The size a `width`×`height` picture is decoded at within `maxPixels` (pure; unchanged when it fits; rounded down, so it always fits). */
export function fitPixels(width: number, height: number, maxPixels: number | undefined): { width: number; height: number } {
  const px = width * height;
  if (maxPixels === undefined || px <= maxPixels) return { width, height };
  const k = Math.sqrt(maxPixels / px);
  return { width: Math.max(1, Math.floor(width * k)), height: Math.max(1, Math.floor(height * k)) };
}

export async function readImageRgba(path: string, o: ReadImageOptions = {}): Promise<RgbaImage> {
  const bytes = await readFile(path);
  const header = readImageHeader(bytes);
  if (!header) {
    throw new AppError('INVALID_IMAGE_FORMAT', 'image could not be read: it is not a JPEG or PNG, or its header is damaged', { field: 'image' });
  }
  // Refused from the header: a 60000x60000 PNG never reaches the decoder.
  checkImagePixels(header.width, header.height);
  const size = fitPixels(header.width, header.height, o.maxPixels);
  const scaled = size.width !== header.width || size.height !== header.height;
  const args = decodeImageArgs({ input: path, orientation: header.orientation, ...(scaled ? size : {}) });
  const sent = `${header.width}x${header.height}`;
  let stdout: Buffer;
  try {
    ({ stdout } = await runFfmpeg(args, { timeoutMs: 60_000 }));
  } catch (err) {
    // ffmpeg that could not run or timed out is our failure; one that ran and refused the data is the file's.
    if (!(err instanceof FfmpegError) || err.exitCode === null) throw err;
    throw new AppError('INVALID_IMAGE_FORMAT', `image could not be decoded (${sent} px as sent): ${(err as Error).message.split('\n')[0].slice(0, 200)}`,
      { field: 'image', actual: sent });
  }
  const expected = size.width * size.height * 4;
  if (stdout.length !== expected) {
    const stored = swapsSides(header.orientation) ? `${header.height}x${header.width}` : sent;
    throw new AppError('INVALID_IMAGE_FORMAT',
      `image could not be decoded: its header says ${stored} px but its pixel data is damaged or cut short`, { field: 'image', actual: stored });
  }
  return { width: size.width, height: size.height, channels: 4, data: new Uint8Array(stdout.buffer, stdout.byteOffset, stdout.length),
    source: { width: header.width, height: header.height } };
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
