/** Image resampling: area averaging when shrinking, bilinear when enlarging (per axis). */
import type { RasterImage } from '../types.js';

interface Taps { start: Int32Array; count: Int32Array; weights: Float64Array; maxTaps: number }

/** Source taps and normalised weights for each output position along one axis. */
function taps(src: number, dst: number): Taps {
  const scale = src / dst;
  const maxTaps = scale > 1 ? Math.ceil(scale) + 2 : 2;
  const start = new Int32Array(dst); const count = new Int32Array(dst);
  const weights = new Float64Array(dst * maxTaps);
  for (let i = 0; i < dst; i++) {
    if (scale > 1) {
      // Overlap of [i·s, (i+1)·s) with each source pixel [k, k+1).
      const a = i * scale; const b = (i + 1) * scale;
      const k0 = Math.floor(a); const k1 = Math.min(src - 1, Math.ceil(b) - 1);
      start[i] = k0; count[i] = k1 - k0 + 1;
      let sum = 0;
      for (let k = k0; k <= k1; k++) {
        const wgt = Math.min(b, k + 1) - Math.max(a, k);
        weights[i * maxTaps + k - k0] = wgt; sum += wgt;
      }
      for (let k = 0; k < count[i]; k++) weights[i * maxTaps + k] /= sum;
    } else {
      const x = Math.min(src - 1, Math.max(0, (i + 0.5) * scale - 0.5));
      const k0 = Math.min(src - 2, Math.floor(x));
      if (src === 1) { start[i] = 0; count[i] = 1; weights[i * maxTaps] = 1; continue; }
      const f = x - k0;
      start[i] = k0; count[i] = 2;
      weights[i * maxTaps] = 1 - f; weights[i * maxTaps + 1] = f;
    }
  }
  return { start, count, weights, maxTaps };
}

/** Resizes an RGB or RGBA image; a solid colour stays exactly that colour. */
export function resizeRgb(img: RasterImage, width: number, height: number): RasterImage {
  const c = img.channels;
  if (width === img.width && height === img.height) return { width, height, channels: c, data: Uint8Array.from(img.data) };
  const tx = taps(img.width, width); const ty = taps(img.height, height);
  // Horizontal pass into floats, then vertical pass into bytes.
  const tmp = new Float32Array(width * img.height * c);
  for (let y = 0; y < img.height; y++) {
    const srow = y * img.width * c; const drow = y * width * c;
    for (let x = 0; x < width; x++) {
      const s0 = tx.start[x]; const n = tx.count[x]; const wo = x * tx.maxTaps;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += tx.weights[wo + k] * img.data[srow + (s0 + k) * c + ch];
        tmp[drow + x * c + ch] = acc;
      }
    }
  }
  const out = new Uint8Array(width * height * c);
  const rowLen = width * c;
  for (let y = 0; y < height; y++) {
    const s0 = ty.start[y]; const n = ty.count[y]; const wo = y * ty.maxTaps; const drow = y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += ty.weights[wo + k] * tmp[(s0 + k) * rowLen + i];
      out[drow + i] = Math.min(255, Math.max(0, Math.round(acc)));
    }
  }
  return { width, height, channels: c, data: out };
}

/** The image's RGB (itself when it has no alpha channel). */
export function rgbOf(image: RasterImage): RasterImage {
  if (image.channels === 3) return image;
  const out = new Uint8Array(image.width * image.height * 3);
  for (let i = 0, j = 0; i < out.length; i += 3, j += 4) {
    out[i] = image.data[j]; out[i + 1] = image.data[j + 1]; out[i + 2] = image.data[j + 2];
  }
  return { width: image.width, height: image.height, channels: 3, data: out };
}
