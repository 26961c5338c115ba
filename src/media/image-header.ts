/**
 * Image dimensions without decoding: PNG IHDR (+ tRNS, eXIf) and JPEG SOFn (+ EXIF orientation).
 * Pure; reads only the bytes it is given and never trusts a length that runs past them.
 */
import { sniffFormat } from './sniff.js';

export interface ImageHeader {
  format: 'jpeg' | 'png';
  /** Display size: EXIF orientations 5..8 swap the stored width and height. */
  width: number;
  height: number;
  hasAlpha: boolean;
  /** EXIF orientation 1..8 (1 when absent or invalid). */
  orientation: number;
}

const u16be = (b: Uint8Array, i: number): number => (b[i] << 8) | b[i + 1];
const u32be = (b: Uint8Array, i: number): number => ((b[i] << 24) >>> 0) + (b[i + 1] << 16) + (b[i + 2] << 8) + b[i + 3];

function chunkType(b: Uint8Array, i: number): string {
  return String.fromCharCode(b[i], b[i + 1], b[i + 2], b[i + 3]);
}

/** EXIF orientations 5..8 are transposed: stored width is displayed as height. */
export function swapsSides(orientation: number): boolean {
  return orientation >= 5 && orientation <= 8;
}

function withOrientation(format: 'jpeg' | 'png', w: number, h: number, hasAlpha: boolean, orientation: number): ImageHeader | null {
  if (w <= 0 || h <= 0) return null;
  const o = orientation >= 1 && orientation <= 8 ? orientation : 1;
  return swapsSides(o) ? { format, width: h, height: w, hasAlpha, orientation: o }
    : { format, width: w, height: h, hasAlpha, orientation: o };
}

/** Orientation tag (0x0112) of IFD0 in a TIFF structure (the body of an EXIF block); 1 if absent. */
export function exifOrientation(tiff: Uint8Array): number {
  if (tiff.length < 8) return 1;
  const order = String.fromCharCode(tiff[0], tiff[1]);
  if (order !== 'II' && order !== 'MM') return 1;
  const le = order === 'II';
  const u16 = (i: number): number => (le ? tiff[i] | (tiff[i + 1] << 8) : u16be(tiff, i));
  const u32 = (i: number): number => (le ? (tiff[i] | (tiff[i + 1] << 8) | (tiff[i + 2] << 16)) + tiff[i + 3] * 2 ** 24 : u32be(tiff, i));
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return 1;
  const count = u16(ifd);
  for (let k = 0; k < count; k++) {
    const entry = ifd + 2 + k * 12;
    if (entry + 12 > tiff.length) break;
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8); // SHORT, stored left-aligned in the value field
      return value >= 1 && value <= 8 ? value : 1;
    }
  }
  return 1;
}

function readPng(b: Uint8Array): ImageHeader | null {
  if (b.length < 33 || u32be(b, 8) !== 13 || chunkType(b, 12) !== 'IHDR') return null;
  const width = u32be(b, 16);
  const height = u32be(b, 20);
  const colorType = b[25];
  let hasAlpha = colorType === 4 || colorType === 6;
  let orientation = 1;
  // Ancillary chunks that matter come before the first IDAT.
  let i = 33;
  while (i + 8 <= b.length) {
    const len = u32be(b, i);
    const type = chunkType(b, i + 4);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'tRNS') hasAlpha = true;
    if (type === 'eXIf' && i + 8 + len <= b.length) orientation = exifOrientation(b.subarray(i + 8, i + 8 + len));
    i += 12 + len;
  }
  return withOrientation('png', width, height, hasAlpha, orientation);
}

/** SOF markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not SOFs. */
function isSof(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpeg(b: Uint8Array): ImageHeader | null {
  let orientation = 1;
  let i = 2;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; } // no length
    if (marker === 0xd9 || marker === 0xda) return null; // EOI or scan before any frame header
    const len = u16be(b, i + 2);
    if (len < 2 || i + 2 + len > b.length) return null;
    const body = i + 4;
    if (marker === 0xe1 && len >= 8 && String.fromCharCode(...b.subarray(body, body + 6)) === 'Exif\0\0') {
      orientation = exifOrientation(b.subarray(body + 6, i + 2 + len));
    }
    if (isSof(marker)) {
      if (len < 8) return null;
      const height = u16be(b, body + 1);
      const width = u16be(b, body + 3);
      return withOrientation('jpeg', width, height, false, orientation);
    }
    i += 2 + len;
  }
  return null;
}

export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const format = sniffFormat(bytes.subarray(0, 64));
  if (format === 'png') return readPng(bytes);
  if (format === 'jpeg') return readJpeg(bytes);
  return null;
}
