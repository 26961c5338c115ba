/**
 * The input limits of the contract (API.md) and pure validators over already-inspected media.
 * Each refusal is an AppError whose message names the field, the limit and the value seen.
 */
import { AppError } from '../domain/errors.js';
import type { CharacterOrientation } from '../domain/orientation.js';
import type { ImageInfo, VideoInfo } from './inspect.js';

export const MAX_INPUT_BYTES = 10 * 1024 * 1024;
export const MIN_SIDE_PX = 300;
export const MIN_ASPECT = 1 / 2.5;
export const MAX_ASPECT = 2.5;
export const MIN_DURATION_S = 3;
export const MAX_DURATION_S = 30;
export const MAX_DURATION_IMAGE_ORIENTATION_S = 10;
/** Refused from the header, before any decode. */
export const MAX_IMAGE_PIXELS = 50_000_000;

type Field = 'image' | 'video';

/** "10.4 MB" style size for messages (MB = 1024 × 1024 bytes, as the contract counts). */
export function formatMegabytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (Number.isInteger(mb)) return `${mb} MB`;
  return `${mb >= 10 ? mb.toFixed(1) : mb.toFixed(2)} MB`;
}

/** `what` reads "is", "would decode to", "is more than"; `limit` defaults to the contract's 10 MB. */
export function fileTooLargeError(field: Field, bytes: number, what = 'is', limit = MAX_INPUT_BYTES): AppError {
  return new AppError(field === 'image' ? 'IMAGE_FILE_EXCEEDS_MAX_SIZE' : 'VIDEO_FILE_EXCEEDS_MAX_SIZE',
    `${field} ${what} ${formatMegabytes(bytes)} (${bytes} bytes); the limit is ${formatMegabytes(limit)} (${limit} bytes)`,
    { field, limit, actual: bytes, unit: 'bytes' });
}

export function checkFileSize(field: Field, bytes: number): void {
  if (bytes > MAX_INPUT_BYTES) throw fileTooLargeError(field, bytes);
}

export function checkImagePixels(width: number, height: number): void {
  const pixels = width * height;
  if (pixels > MAX_IMAGE_PIXELS) {
    throw new AppError('IMAGE_EXCEEDS_MAX_RESOLUTION',
      `image is ${width}x${height} px (${(pixels / 1e6).toFixed(1)} megapixels); the limit is ${MAX_IMAGE_PIXELS / 1e6} megapixels`,
      { field: 'image', limit: MAX_IMAGE_PIXELS, actual: pixels, unit: 'pixels' });
  }
}

/** Both sides at least MIN_SIDE_PX and w/h within [1:2.5, 2.5:1] inclusive. */
function checkSides(field: Field, width: number, height: number): void {
  const reason = field === 'image' ? 'INVALID_IMAGE_SIZE' : 'INVALID_VIDEO_SIZE';
  const dims = `${width}x${height}`;
  if (width < MIN_SIDE_PX || height < MIN_SIDE_PX) {
    throw new AppError(reason, `${field} is ${dims} px; width and height must each be at least ${MIN_SIDE_PX} px`,
      { field, limit: MIN_SIDE_PX, actual: dims, unit: 'px' });
  }
  // Compared as products so that exactly 2.5:1 passes without float error (MIN_ASPECT is 1/MAX_ASPECT).
  const tooWide = width > MAX_ASPECT * height;
  const tooTall = height > MAX_ASPECT * width;
  if (tooWide || tooTall) {
    const ratio = width / height;
    throw new AppError(reason,
      `${field} is ${dims} px, aspect ratio ${ratio.toFixed(2)} (width/height); it must be between 1:2.5 (0.4) and 2.5:1 (2.5)`,
      { field, limit: tooWide ? MAX_ASPECT : MIN_ASPECT, actual: Number(ratio.toFixed(3)), unit: 'width/height' });
  }
}

export function validateImageInfo(info: ImageInfo): void {
  checkFileSize('image', info.bytes);
  checkImagePixels(info.width, info.height);
  checkSides('image', info.width, info.height);
}

export function maxDurationFor(orientation: CharacterOrientation): number {
  return orientation === 'image' ? MAX_DURATION_IMAGE_ORIENTATION_S : MAX_DURATION_S;
}

/**
 * Sizes are the display size (rotation applied). Duration is judged at 0.1 s, the precision the
 * message shows, so container rounding (30.02 s for a 30 s clip) does not refuse a valid clip.
 */
export function validateVideoInfo(info: VideoInfo, orientation: CharacterOrientation): void {
  if (info.bytes !== undefined) checkFileSize('video', info.bytes);
  checkSides('video', info.width, info.height);
  const max = maxDurationFor(orientation);
  const shown = Math.round(info.durationS * 10) / 10;
  if (!(shown >= MIN_DURATION_S && shown <= max)) {
    throw new AppError('INVALID_VIDEO_DURATION',
      `video lasts ${shown.toFixed(1)} s; with character_orientation=${orientation} it must last ${MIN_DURATION_S} to ${max} s`,
      { field: 'video', limit: shown < MIN_DURATION_S ? MIN_DURATION_S : max, actual: shown, unit: 's' });
  }
}
