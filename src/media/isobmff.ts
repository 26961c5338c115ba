/**
 * Top-level box walk of an ISO BMFF file: a box whose declared size runs past the end of the file
 * means the file was cut short (ffprobe accepts such a file when its moov comes first).
 */

export interface TopLevelBox { type: string; offset: number; size: number }

/** Reads up to 16 bytes at `offset` (fewer at the end of the file). */
export type HeaderReader = (offset: number) => Promise<Uint8Array>;

const MAX_BOXES = 10_000;

/**
 * Walks the top-level boxes; returns them and the first that does not fit in `fileSize`
 * (null when the file is whole). Trailing bytes too few for a box header count as truncation.
 */
export async function walkTopLevelBoxes(read: HeaderReader, fileSize: number): Promise<{ boxes: TopLevelBox[]; truncated: TopLevelBox | null }> {
  const boxes: TopLevelBox[] = [];
  let offset = 0;
  while (offset < fileSize && boxes.length < MAX_BOXES) {
    const h = await read(offset);
    const type = h.length >= 8 ? String.fromCharCode(h[4], h[5], h[6], h[7]) : '';
    if (h.length < 8) return { boxes, truncated: { type, offset, size: 8 } };
    let size = ((h[0] << 24) >>> 0) + (h[1] << 16) + (h[2] << 8) + h[3];
    if (size === 1) {
      if (h.length < 16) return { boxes, truncated: { type, offset, size: 16 } };
      size = Number(new DataView(h.buffer, h.byteOffset + 8, 8).getBigUint64(0));
    } else if (size === 0) {
      size = fileSize - offset; // "extends to the end of the file"
    }
    const box = { type, offset, size };
    if (size < 8 || offset + size > fileSize) return { boxes, truncated: box };
    boxes.push(box);
    offset += size;
  }
  return { boxes, truncated: null };
}
