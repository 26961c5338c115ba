/**
 * Pure image resampling for model inputs and outputs. Downscaling averages several bilinear taps per
 * output pixel (so small details do not alias); samples outside the source are 0 (padding).
 */
import type { RasterImage } from '../types.js';
import type { CropRect } from './crop.js';

/**
 * Samples `rect` of `image` (frame px, may extend outside) into an outW×outH RGB buffer.
 * RGBA is composited over white. `scale` multiplies 0..255 values (1 for int input, 1/255 for 0..1).
 */
export function sampleRgb(
  image: RasterImage, rect: CropRect, outW: number, outH: number, out: Int32Array | Float32Array, scale = 1,
): void {
  const { width: W, height: H, channels: C, data } = image;
  const stepX = rect.width / outW;
  const stepY = rect.height / outH;
  const tapsX = Math.max(1, Math.ceil(stepX - 1e-6));
  const tapsY = Math.max(1, Math.ceil(stepY - 1e-6));
  const norm = 1 / (tapsX * tapsY);
  const rgb = [0, 0, 0];
  const round = out instanceof Int32Array;
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let ty = 0; ty < tapsY; ty++) {
        const sy = rect.y + (oy + (ty + 0.5) / tapsY) * stepY - 0.5;
        for (let tx = 0; tx < tapsX; tx++) {
          const sx = rect.x + (ox + (tx + 0.5) / tapsX) * stepX - 0.5;
          if (sx < -0.5 || sy < -0.5 || sx > W - 0.5 || sy > H - 0.5) continue;
          bilinear(data, W, H, C, sx, sy, rgb);
          r += rgb[0];
          g += rgb[1];
          b += rgb[2];
        }
      }
      const o = 3 * (oy * outW + ox);
      const f = norm * scale;
      out[o] = round ? Math.round(r * f) : r * f;
      out[o + 1] = round ? Math.round(g * f) : g * f;
      out[o + 2] = round ? Math.round(b * f) : b * f;
    }
  }
}

function bilinear(data: Uint8Array, W: number, H: number, C: number, sx: number, sy: number, rgb: number[]): void {
  const x = Math.min(Math.max(sx, 0), W - 1);
  const y = Math.min(Math.max(sy, 0), H - 1);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const x1 = Math.min(x0 + 1, W - 1);
  const y1 = Math.min(y0 + 1, H - 1);
  const fx = x - x0;
  const fy = y - y0;
  const i00 = (y0 * W + x0) * C;
  const i01 = (y0 * W + x1) * C;
  const i10 = (y1 * W + x0) * C;
  const i11 = (y1 * W + x1) * C;
  const w00 = (1 - fx) * (1 - fy);
  const w01 = fx * (1 - fy);
  const w10 = (1 - fx) * fy;
  const w11 = fx * fy;
  for (let c = 0; c < 3; c++) {
    let v = data[i00 + c] * w00 + data[i01 + c] * w01 + data[i10 + c] * w10 + data[i11 + c] * w11;
    if (C === 4) {
      const a = (data[i00 + 3] * w00 + data[i01 + 3] * w01 + data[i10 + 3] * w10 + data[i11 + 3] * w11) / 255;
      // Straight alpha: blend the averaged colour toward white by the averaged transparency.
      v = v * a + 255 * (1 - a);
    }
    rgb[c] = v;
  }
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
