/**
 * Inspect an input file: judge its format by bytes, read its size from the header (image) or ffprobe
 * (video), then apply the contract's limits. Every refusal is an AppError a person can act on.
 */
import { open, stat } from 'node:fs/promises';
import { AppError } from '../domain/errors.js';
import type { CharacterOrientation } from '../domain/orientation.js';
import { FfmpegError, ffprobeJson, runFfmpeg } from './ffmpeg.js';
import { firstPictureArgs } from './ffmpeg-args.js';
import { readImageHeader } from './image-header.js';
import { walkTopLevelBoxes } from './isobmff.js';
import { checkFileSize, validateImageInfo, validateVideoInfo } from './limits.js';
import { parseProbe, type ProbeResult } from './probe.js';
import { describeFormat, isobmffBrand, SNIFF_BYTES, sniffFormat } from './sniff.js';

export interface ImageInfo { format: 'jpeg' | 'png'; width: number; height: number; bytes: number; hasAlpha: boolean; orientation: number }

export interface VideoInfo {
  container: 'mp4' | 'mov';
  /** Display size, rotation applied. */
  width: number;
  height: number;
  codedWidth: number;
  codedHeight: number;
  /** Display-matrix rotation, counter-clockwise degrees (ffmpeg's convention): 0, 90, 180 or 270. */
  rotation: number;
  fps: number;
  durationS: number;
  frameCount: number;
  hasAudio: boolean;
  videoCodec: string;
  /** File size; optional so callers may build a VideoInfo without a file. */
  bytes?: number;
}

/** ISO BMFF brands of still images (HEIF/AVIF), which are not videos. */
const IMAGE_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'mif1', 'avif']);

async function readHead(path: string, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

const DECODE_CHECK_TIMEOUT_MS = 60_000;

/**
 * A header can be whole while the data behind it is not (a PNG cut inside its pixels, an MP4 whose media data
 * was zeroed): decode the first picture, cheaply, so such a file is the client's 400 now rather than an engine
 * failure later. ffmpeg that cannot run or times out is our failure and is rethrown.
 */
async function checkFirstPictureDecodes(path: string, field: 'image' | 'video', format: string): Promise<void> {
  let out: Buffer;
  let stderr: string;
  try {
    ({ stdout: out, stderr } = await runFfmpeg(firstPictureArgs(path), { timeoutMs: DECODE_CHECK_TIMEOUT_MS }));
  } catch (err) {
    if (!(err instanceof FfmpegError) || err.exitCode === null) throw err;
    out = Buffer.alloc(0);
    stderr = err.stderr;
  }
  if (out.length >= 16 * 16) return;
  const said = stderr.split('\n').map((l) => l.replace(/^\[[^\]]*\]\s*/, '').trim()).filter((l) => l !== '')[0] ?? 'no picture came out';
  throw new AppError(field === 'image' ? 'INVALID_IMAGE_FORMAT' : 'INVALID_VIDEO_FORMAT',
    `${field} could not be decoded: its ${format} data is damaged or cut short (${said.slice(0, 200)})`, { field, actual: format });
}

export interface InspectOptions {
  /** Also decode the first picture (on by default; off only to judge a header alone). */
  decode?: boolean;
}

export async function inspectImageFile(path: string, o: InspectOptions = {}): Promise<ImageInfo> {
  const { size } = await stat(path);
  checkFileSize('image', size);
  if (size === 0) throw new AppError('INVALID_IMAGE_FORMAT', 'image is an empty file; only JPEG or PNG is accepted', { field: 'image', actual: 0 });
  const bytes = await readHead(path, size);
  const format = sniffFormat(bytes.subarray(0, SNIFF_BYTES));
  if (format !== 'jpeg' && format !== 'png') {
    throw new AppError('INVALID_IMAGE_FORMAT', `image is ${describeFormat(format)}; only JPEG or PNG is accepted`,
      { field: 'image', limit: 'jpeg|png', actual: format });
  }
  const header = readImageHeader(bytes);
  if (!header) {
    throw new AppError('INVALID_IMAGE_FORMAT', `image could not be read: its ${format.toUpperCase()} header is damaged or truncated`,
      { field: 'image', actual: format });
  }
  const info: ImageInfo = { format: header.format, width: header.width, height: header.height, bytes: size,
    hasAlpha: header.hasAlpha, orientation: header.orientation };
  validateImageInfo(info);
  if (o.decode !== false) await checkFirstPictureDecodes(path, 'image', header.format.toUpperCase());
  return info;
}

/** The top-level box cut short by truncation, if any. */
async function truncatedBox(path: string, size: number): Promise<string | null> {
  const fh = await open(path, 'r');
  try {
    const { truncated } = await walkTopLevelBoxes(async (offset) => {
      const buf = Buffer.alloc(16);
      const { bytesRead } = await fh.read(buf, 0, 16, offset);
      return buf.subarray(0, bytesRead);
    }, size);
    return truncated ? truncated.type || 'header' : null;
  } finally {
    await fh.close();
  }
}

function unreadableVideo(): AppError {
  return new AppError('INVALID_VIDEO_FORMAT', 'video could not be read: file is truncated or not a video', { field: 'video' });
}

/** Pure: the VideoInfo of a probed ISO BMFF file, or the AppError that says why it is not a usable video. */
export function videoInfoFromProbe(probe: ProbeResult, brand: string, bytes: number): VideoInfo {
  const v = probe.video;
  if (!v) throw new AppError('INVALID_VIDEO_FORMAT', 'video has no video stream (audio only or empty); send a video with moving pictures', { field: 'video' });
  if (!(v.codedWidth > 0 && v.codedHeight > 0) || !(v.fps > 0) || !(v.durationS > 0)) throw unreadableVideo();
  if (v.codecName === '' || v.codecName === 'none') {
    throw new AppError('INVALID_VIDEO_FORMAT', 'video uses a codec that cannot be decoded; use H.264, HEVC or another common codec', { field: 'video' });
  }
  return {
    container: brand === 'qt' ? 'mov' : 'mp4',
    width: v.width, height: v.height, codedWidth: v.codedWidth, codedHeight: v.codedHeight, rotation: v.rotation,
    fps: v.fps, durationS: v.durationS, frameCount: v.frameCount, hasAudio: probe.hasAudio, videoCodec: v.codecName, bytes,
  };
}

export async function inspectVideoFile(path: string, orientation: CharacterOrientation): Promise<VideoInfo> {
  const { size } = await stat(path);
  checkFileSize('video', size);
  const head = await readHead(path, SNIFF_BYTES);
  const format = sniffFormat(head);
  if (format !== 'isobmff') {
    throw new AppError('INVALID_VIDEO_FORMAT',
      `video is ${size === 0 ? 'an empty file' : describeFormat(format)}; only MP4 or MOV (ISO BMFF) is accepted`,
      { field: 'video', limit: 'mp4|mov', actual: size === 0 ? 'empty' : format });
  }
  const brand = isobmffBrand(head).trim();
  if (IMAGE_BRANDS.has(brand)) {
    throw new AppError('INVALID_VIDEO_FORMAT', `video is a HEIF/AVIF still image (brand "${brand}"); only MP4 or MOV video is accepted`,
      { field: 'video', limit: 'mp4|mov', actual: brand });
  }
  // ffprobe accepts a faststart file cut inside its media data; the box sizes do not lie.
  if (await truncatedBox(path, size) !== null) throw unreadableVideo();
  let probe: ProbeResult;
  try {
    probe = parseProbe(await ffprobeJson(path));
  } catch (err) {
    // ffprobe that could not start or timed out (a missing binary, a loaded machine) is our failure, not the file's.
    if (err instanceof FfmpegError && err.exitCode === null) throw err;
    throw unreadableVideo();
  }
  const info = videoInfoFromProbe(probe, brand === '' ? probe.majorBrand : brand, size);
  validateVideoInfo(info, orientation);
  await checkFirstPictureDecodes(path, 'video', info.videoCodec.toUpperCase());
  return info;
}
