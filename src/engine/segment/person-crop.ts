/**
 * The person-segmentation model sees its input as a 256×256 square: a wide photo is squeezed to
 * it (a 16:9 picture to a third of its width), and a person who fills a fifth of the width is seen
 * about 50 model pixels across. The mask's edge then wanders into the background (sky beside a
 * head, lawn beside a held ball), and those bits move with the character. Run again on a square-ish
 * crop around the detected body, the person is seen unsqueezed and larger. Pure: the crop, the
 * cut-out and the merge; the model runs elsewhere.
 */
import type { Pose, RasterImage, SoftMask } from '../types.js';

export interface PixelRect { x: number; y: number; width: number; height: number }

const MIN_SCORE = 0.2;
/** Margins around the keypoints' box, as shares of its larger side: hair and a bun above the eyes, feet below the ankles, arms and props beside. */
const MARGIN = { top: 0.3, bottom: 0.15, side: 0.3 };
/** Worth a second run when the crop is at most this share of the image, or far less squeezed than the image. */
const MAX_AREA_SHARE = 0.6;
const SQUEEZE_GAIN = 1.3;

const aspect = (w: number, h: number) => Math.max(w, h) / Math.max(1, Math.min(w, h));

/** Grows [lo, hi) to `size` about its centre, inside [0, limit). */
function grow(lo: number, hi: number, size: number, limit: number): [number, number] {
  const s = Math.min(limit, Math.max(hi - lo, size));
  let a = Math.round((lo + hi) / 2 - s / 2);
  a = Math.max(0, Math.min(limit - s, a));
  return [a, a + s];
}

/** A crop around the pose's keypoints, as square as the image allows; null when it would not help. */
export function personCrop(pose: Pose, width: number, height: number): PixelRect | null {
  const seen = pose.filter((p) => p.score >= MIN_SCORE);
  if (seen.length < 4) return null;
  const xs = seen.map((p) => p.x); const ys = seen.map((p) => p.y);
  const minX = Math.min(...xs); const maxX = Math.max(...xs);
  const minY = Math.min(...ys); const maxY = Math.max(...ys);
  const side = Math.max(maxY - minY, maxX - minX, 1);
  let x0 = Math.max(0, Math.floor(minX - MARGIN.side * side));
  let x1 = Math.min(width, Math.ceil(maxX + MARGIN.side * side));
  let y0 = Math.max(0, Math.floor(minY - MARGIN.top * side));
  let y1 = Math.min(height, Math.ceil(maxY + MARGIN.bottom * side));
  const size = Math.max(x1 - x0, y1 - y0);
  [x0, x1] = grow(x0, x1, size, width);
  [y0, y1] = grow(y0, y1, size, height);
  const w = x1 - x0; const h = y1 - y0;
  if (w < 16 || h < 16) return null;
  const smaller = w * h <= MAX_AREA_SHARE * width * height;
  const lessSqueezed = aspect(w, h) * SQUEEZE_GAIN <= aspect(width, height);
  return smaller || lessSqueezed ? { x: x0, y: y0, width: w, height: h } : null;
}

export function cropImage(image: RasterImage, r: PixelRect): RasterImage {
  const c = image.channels;
  const out = new Uint8Array(r.width * r.height * c);
  for (let y = 0; y < r.height; y++) {
    const src = ((r.y + y) * image.width + r.x) * c;
    out.set(image.data.subarray(src, src + r.width * c), y * r.width * c);
  }
  return { width: r.width, height: r.height, channels: c, data: out };
}

/**
 * The whole image's mask with the crop's mask put in its place: inside the crop the closer look
 * decides; outside it (a long ski, a pole held high) the whole image's mask stays.
 */
export function pasteMask(whole: SoftMask, crop: SoftMask, r: PixelRect): SoftMask {
  const data = Float32Array.from(whole.data);
  for (let y = 0; y < r.height; y++) {
    data.set(crop.data.subarray(y * r.width, (y + 1) * r.width), (r.y + y) * whole.width + r.x);
  }
  return { width: whole.width, height: whole.height, data };
}
