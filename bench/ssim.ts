/**
 * SSIM (Wang et al. 2004) and PSNR on luma, for the self-reenactment score (pure; unit-tested).
 * SSIM uses the paper's window: an 11×11 Gaussian, σ 1.5, normalised, applied only where it fits
 * inside the image ("valid"), K1 0.01, K2 0.03, L 255.
 */

export interface LumaImage { width: number; height: number; data: Float64Array }

/** A box in image pixels, [x0, x1) × [y0, y1). */
export interface Box { x0: number; y0: number; x1: number; y1: number }

export const WINDOW = 11;
const RADIUS = (WINDOW - 1) / 2;
const SIGMA = 1.5;
const C1 = (0.01 * 255) ** 2;
const C2 = (0.03 * 255) ** 2;

/** The 1-D Gaussian taps; the 2-D window is their outer product (sums to 1). */
export function gaussianTaps(): Float64Array {
  const taps = new Float64Array(WINDOW);
  let sum = 0;
  for (let i = 0; i < WINDOW; i++) {
    taps[i] = Math.exp(-((i - RADIUS) ** 2) / (2 * SIGMA * SIGMA));
    sum += taps[i];
  }
  for (let i = 0; i < WINDOW; i++) taps[i] /= sum;
  return taps;
}
const TAPS = gaussianTaps();

/** BT.601 luma of packed RGB (3 channels) or RGBA (4), 0..255. */
export function lumaOf(data: Uint8Array, width: number, height: number, channels: 3 | 4 = 3): LumaImage {
  const out = new Float64Array(width * height);
  for (let i = 0, s = 0; i < out.length; i++, s += channels) {
    out[i] = 0.299 * data[s] + 0.587 * data[s + 1] + 0.114 * data[s + 2];
  }
  return { width, height, data: out };
}

/** Separable "valid" Gaussian filter: (w-10)×(h-10) output. */
function blurValid(src: Float64Array, w: number, h: number): Float64Array {
  const ow = w - 2 * RADIUS;
  const oh = h - 2 * RADIUS;
  const rows = new Float64Array(ow * h);
  for (let y = 0; y < h; y++) {
    const r = y * w;
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < WINDOW; k++) s += TAPS[k] * src[r + x + k];
      rows[y * ow + x] = s;
    }
  }
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let k = 0; k < WINDOW; k++) s += TAPS[k] * rows[(y + k) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}

/** An image with its local means and mean squares, so one image can be compared with many cheaply. */
export interface PreparedLuma { image: LumaImage; mu: Float64Array; meanSq: Float64Array }

export function prepareLuma(image: LumaImage): PreparedLuma {
  const { width: w, height: h } = image;
  if (w < WINDOW || h < WINDOW) throw new RangeError(`SSIM needs at least ${WINDOW}x${WINDOW} px, got ${w}x${h}`);
  const sq = new Float64Array(w * h);
  for (let i = 0; i < sq.length; i++) sq[i] = image.data[i] * image.data[i];
  return { image, mu: blurValid(image.data, w, h), meanSq: blurValid(sq, w, h) };
}

/**
 * The SSIM map: one value per position where the window fits; map pixel (i, j) is the window
 * centred on image pixel (i + 5, j + 5).
 */
export function ssimMap(a: LumaImage | PreparedLuma, b: LumaImage | PreparedLuma): LumaImage {
  const pa = 'mu' in a ? a : prepareLuma(a);
  const pb = 'mu' in b ? b : prepareLuma(b);
  const { width: w, height: h } = pa.image;
  if (w !== pb.image.width || h !== pb.image.height) throw new RangeError(`SSIM of ${w}x${h} and ${pb.image.width}x${pb.image.height}`);
  const ab = new Float64Array(w * h);
  for (let i = 0; i < ab.length; i++) ab[i] = pa.image.data[i] * pb.image.data[i];
  const eAB = blurValid(ab, w, h);
  const out = new Float64Array(eAB.length);
  for (let i = 0; i < out.length; i++) {
    const ma = pa.mu[i], mb = pb.mu[i];
    const va = pa.meanSq[i] - ma * ma, vb = pb.meanSq[i] - mb * mb, cov = eAB[i] - ma * mb;
    out[i] = ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
  }
  return { width: w - 2 * RADIUS, height: h - 2 * RADIUS, data: out };
}

/** Mean of the map over windows centred inside `box` (the whole map when no box); NaN if none. */
export function meanOverBox(map: LumaImage, box?: Box): number {
  const x0 = box ? Math.max(0, Math.ceil(box.x0) - RADIUS) : 0;
  const y0 = box ? Math.max(0, Math.ceil(box.y0) - RADIUS) : 0;
  const x1 = box ? Math.min(map.width, Math.ceil(box.x1) - RADIUS) : map.width;
  const y1 = box ? Math.min(map.height, Math.ceil(box.y1) - RADIUS) : map.height;
  let sum = 0;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) sum += map.data[y * map.width + x];
    count += Math.max(0, x1 - x0);
  }
  return count > 0 ? sum / count : NaN;
}

/** Mean SSIM of two luma images, over the whole image or the windows centred in a box. */
export function ssim(a: LumaImage, b: LumaImage, box?: Box): number {
  return meanOverBox(ssimMap(a, b), box);
}

/** Mean squared luma error over the whole image or a box (pixels whose centre is inside it). */
export function mse(a: LumaImage, b: LumaImage, box?: Box): number {
  if (a.width !== b.width || a.height !== b.height) throw new RangeError('MSE of images of different sizes');
  const x0 = box ? Math.max(0, Math.ceil(box.x0)) : 0, y0 = box ? Math.max(0, Math.ceil(box.y0)) : 0;
  const x1 = box ? Math.min(a.width, Math.ceil(box.x1)) : a.width, y1 = box ? Math.min(a.height, Math.ceil(box.y1)) : a.height;
  let sum = 0;
  let count = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const d = a.data[y * a.width + x] - b.data[y * a.width + x];
      sum += d * d;
    }
    count += Math.max(0, x1 - x0);
  }
  return count > 0 ? sum / count : NaN;
}

/** PSNR in dB from a mean squared error on a 0..255 scale; Infinity for identical images. */
export function psnrFromMse(m: number): number {
  return m === 0 ? Infinity : 10 * Math.log10((255 * 255) / m);
}
