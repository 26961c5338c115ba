/** Judge a file's format by its first bytes, never by its name. */

export type SniffedFormat = 'jpeg' | 'png' | 'isobmff' | 'avi' | 'matroska' | 'gif' | 'webp' | 'bmp' | 'text' | 'unknown';

/** How many leading bytes sniffFormat needs to decide. */
export const SNIFF_BYTES = 64;

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Top-level boxes an old QuickTime file may start with instead of `ftyp`. */
const QUICKTIME_FIRST_BOXES = new Set(['moov', 'mdat', 'wide', 'free', 'skip', 'pnot']);

function startsWith(head: Uint8Array, bytes: readonly number[], at = 0): boolean {
  if (head.length < at + bytes.length) return false;
  return bytes.every((b, i) => head[at + i] === b);
}

export function ascii(head: Uint8Array, start: number, end: number): string {
  if (head.length < end) return '';
  return String.fromCharCode(...head.subarray(start, end));
}

function boxSize(head: Uint8Array): number {
  return ((head[0] << 24) >>> 0) + (head[1] << 16) + (head[2] << 8) + head[3];
}

/** Length of the UTF-8 sequence led by byte `b`, or 0 if `b` cannot lead one. */
function utf8SequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** Printable text: valid UTF-8 (a sequence cut by the end of `head` is fine) without binary control bytes. */
function looksLikeText(head: Uint8Array): boolean {
  if (head.length === 0) return false;
  for (let i = 0; i < head.length;) {
    const b = head[i];
    const allowedControl = b === 0x09 || b === 0x0a || b === 0x0d || b === 0x0c || b === 0x1b;
    if ((b < 0x20 && !allowedControl) || b === 0x7f) return false;
    const n = utf8SequenceLength(b);
    if (n === 0) return false;
    for (let k = 1; k < n && i + k < head.length; k++) {
      if ((head[i + k] & 0xc0) !== 0x80) return false;
    }
    i += n;
  }
  return true;
}

export function sniffFormat(head: Uint8Array): SniffedFormat {
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(head, PNG_SIGNATURE)) return 'png';
  const box = ascii(head, 4, 8);
  if (box === 'ftyp' && boxSize(head) >= 8) return 'isobmff';
  if (QUICKTIME_FIRST_BOXES.has(box) && (boxSize(head) >= 8 || boxSize(head) === 0 || boxSize(head) === 1)) return 'isobmff';
  if (ascii(head, 0, 4) === 'RIFF') {
    const kind = ascii(head, 8, 12);
    if (kind === 'AVI ') return 'avi';
    if (kind === 'WEBP') return 'webp';
  }
  if (startsWith(head, [0x1a, 0x45, 0xdf, 0xa3])) return 'matroska';
  const six = ascii(head, 0, 6);
  if (six === 'GIF87a' || six === 'GIF89a') return 'gif';
  // BMP: "BM", then file size, then two reserved 16-bit zeros.
  if (ascii(head, 0, 2) === 'BM' && head.length >= 14 && head[6] === 0 && head[7] === 0 && head[8] === 0 && head[9] === 0) return 'bmp';
  if (looksLikeText(head)) return 'text';
  return 'unknown';
}

/** The major brand of an ISO BMFF file (`isom`, `mp42`, `qt  `, `heic`…), or '' without an ftyp box. */
export function isobmffBrand(head: Uint8Array): string {
  return ascii(head, 4, 8) === 'ftyp' ? ascii(head, 8, 12) : '';
}

/** A name for messages: "an AVI file", "a GIF image", "a text file". */
export function describeFormat(format: SniffedFormat): string {
  switch (format) {
    case 'jpeg': return 'a JPEG image';
    case 'png': return 'a PNG image';
    case 'isobmff': return 'an MP4/MOV file';
    case 'avi': return 'an AVI file';
    case 'matroska': return 'a Matroska/WebM file';
    case 'gif': return 'a GIF image';
    case 'webp': return 'a WebP image';
    case 'bmp': return 'a BMP image';
    case 'text': return 'a text file';
    case 'unknown': return 'not a recognised file format';
  }
}
