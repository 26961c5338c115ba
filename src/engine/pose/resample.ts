/**
 * Pure image resampling for model inputs and outputs. Downscaling averages several bilinear taps per
 * output pixel (so small details do not alias); samples outside the source are 0 (padding).
 */
import type { RasterImage } from '../types.js';
import type { CropRect } from './crop.js';

interface Taps {
  /** Per output index × taps: first source index, second source index (both clamped), weight of the second; -1 = padding. */
  i0: Int32Array;
  i1: Int32Array;
  f: Float32Array;
  per: number;
}

/** Bilinear taps along one axis: `per` evenly spread samples inside each output pixel's footprint. */
function axisTaps(start: number, length: number, outN: number, srcN: number): Taps {
  const step = length / outN;
  // Up to 4 taps per axis: enough against aliasing, and a bounded cost on large images.
  const per = Math.min(4, Math.max(1, Math.ceil(step - 1e-6)));
  const i0 = new Int32Array(outN * per);
  const i1 = new Int32Array(outN * per);
  const f = new Float32Array(outN * per);
  for (let o = 0; o < outN; o++) {
    for (let t = 0; t < per; t++) {
      const s = start + (o + (t + 0.5) / per) * step - 0.5;
      const j = o * per + t;
      if (s < -0.5 || s > srcN - 0.5) {
        i0[j] = -1;
        continue;
      }
      const c = Math.min(Math.max(s, 0), srcN - 1);
      const a = Math.floor(c);
      i0[j] = a;
      i1[j] = Math.min(a + 1, srcN - 1);
      f[j] = c - a;
    }
  }
  return { i0, i1, f, per };
}

/**
 * Samples `rect` of `image` (frame px, may extend outside) into an outW×outH RGB buffer.
 * RGBA is composited over white. `scale` multiplies 0..255 values (1 for int input, 1/255 for 0..1).
 */
export function sampleRgb(
  image: RasterImage, rect: CropRect, outW: number, outH: number, out: Uint8Array | Int32Array | Float32Array, scale = 1,
): void {
  const { width: W, height: H, channels: C, data } = image;
  const tx = axisTaps(rect.x, rect.width, outW, W);
  const ty = axisTaps(rect.y, rect.height, outH, H);
  const norm = scale / (tx.per * ty.per);
  const round = !(out instanceof Float32Array);
  // Per x tap, hoisted out of the pixel loop: byte offsets of the two columns and the weight of each
  // (the same products as inline, so the result is bit for bit the same).
  const nx = tx.i0.length;
  const c0 = new Int32Array(nx); const c1 = new Int32Array(nx);
  const gx0 = new Float64Array(nx); const gx1 = new Float64Array(nx);
  for (let b = 0; b < nx; b++) {
    c0[b] = tx.i0[b] * C; c1[b] = tx.i1[b] * C;
    gx1[b] = tx.f[b]; gx0[b] = 1 - tx.f[b];
  }
  const xi0 = tx.i0; const tpx = tx.per; const tpy = ty.per;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let a0 = 0; let a1 = 0; let a2 = 0;
      for (let a = oy * tpy, aEnd = a + tpy; a < aEnd; a++) {
        const y0 = ty.i0[a];
        if (y0 < 0) continue;
        const r0 = y0 * W * C;
        const r1 = ty.i1[a] * W * C;
        const fy = ty.f[a];
        const gy0 = 1 - fy;
        for (let b = ox * tpx, bEnd = b + tpx; b < bEnd; b++) {
          if (xi0[b] < 0) continue;
          const fx = gx1[b]; const hx = gx0[b];
          const p00 = r0 + c0[b];
          const p01 = r0 + c1[b];
          const p10 = r1 + c0[b];
          const p11 = r1 + c1[b];
          const w00 = hx * gy0;
          const w01 = fx * gy0;
          const w10 = hx * fy;
          const w11 = fx * fy;
          if (C === 4) {
            // Straight alpha: the averaged colour blended toward white by the averaged transparency.
            const al = (data[p00 + 3] * w00 + data[p01 + 3] * w01 + data[p10 + 3] * w10 + data[p11 + 3] * w11) / 255;
            a0 += (data[p00] * w00 + data[p01] * w01 + data[p10] * w10 + data[p11] * w11) * al + 255 * (1 - al);
            a1 += (data[p00 + 1] * w00 + data[p01 + 1] * w01 + data[p10 + 1] * w10 + data[p11 + 1] * w11) * al + 255 * (1 - al);
            a2 += (data[p00 + 2] * w00 + data[p01 + 2] * w01 + data[p10 + 2] * w10 + data[p11 + 2] * w11) * al + 255 * (1 - al);
          } else {
            a0 += data[p00] * w00 + data[p01] * w01 + data[p10] * w10 + data[p11] * w11;
            a1 += data[p00 + 1] * w00 + data[p01 + 1] * w01 + data[p10 + 1] * w10 + data[p11 + 1] * w11;
            a2 += data[p00 + 2] * w00 + data[p01 + 2] * w01 + data[p10 + 2] * w10 + data[p11 + 2] * w11;
          }
        }
      }
      const o = 3 * (oy * outW + ox);
      if (round) {
        out[o] = Math.round(a0 * norm);
        out[o + 1] = Math.round(a1 * norm);
        out[o + 2] = Math.round(a2 * norm);
      } else {
        out[o] = a0 * norm;
        out[o + 1] = a1 * norm;
        out[o + 2] = a2 * norm;
      }
    }
  }
}

/** The image as RGB with its long side at most `maxSide` (area-averaged), and the factor applied. */
export function downscaleRgb(image: RasterImage, maxSide: number): { image: RasterImage; factor: number } {
  const long = Math.max(image.width, image.height);
  if (long <= maxSide && image.channels === 3) return { image, factor: 1 };
  const factor = Math.min(1, maxSide / long);
  const width = Math.max(1, Math.round(image.width * factor));
  const height = Math.max(1, Math.round(image.height * factor));
  const data = new Uint8Array(width * height * 3);
  sampleRgb(image, { x: 0, y: 0, width: image.width, height: image.height }, width, height, data);
  return { image: { width, height, channels: 3, data }, factor: width / image.width };
}

/** Bilinear resize of a single-channel float map (half-pixel centres, edges clamped). */
export function resizeFloatMap(src: Float32Array, sw: number, sh: number, dw: number, dh: number): Float32Array {
  const out = new Float32Array(dw * dh);
  const sxStep = sw / dw;
  const syStep = sh / dh;
  for (let y = 0; y < dh; y++) {
    const fyRaw = Math.min(Math.max((y + 0.5) * syStep - 0.5, 0), sh - 1);
    const y0 = Math.floor(fyRaw);
    const y1 = Math.min(y0 + 1, sh - 1);
    const fy = fyRaw - y0;
    for (let x = 0; x < dw; x++) {
      const fxRaw = Math.min(Math.max((x + 0.5) * sxStep - 0.5, 0), sw - 1);
      const x0 = Math.floor(fxRaw);
      const x1 = Math.min(x0 + 1, sw - 1);
      const fx = fxRaw - x0;
      const top = src[y0 * sw + x0] * (1 - fx) + src[y0 * sw + x1] * fx;
      const bot = src[y1 * sw + x0] * (1 - fx) + src[y1 * sw + x1] * fx;
      out[y * dw + x] = top * (1 - fy) + bot * fy;
    }
  }
  return out;
}
