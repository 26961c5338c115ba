/**
 * Membrane fill: the hole is filled with the harmonic interpolation of its surroundings, solved
 * coarse to fine. It starts the exemplar inpainting's coarsest level (inpaint.ts) and fills holes
 * that have no source patches at all. A pyramid averages the known pixels; each level starts from the level
 * below, bilinearly upsampled, and relaxes the hole pixels towards the mean of their neighbours
 * with the known pixels held fixed — smooth, seamless, and exact on linear gradients.
 */
import type { BinaryMask } from '../segment/mask.js';
import type { RasterImage } from '../types.js';

export interface Level { w: number; h: number; c: number; val: Float32Array; known: Uint8Array }

function downsample(l: Level): Level {
  const w = Math.ceil(l.w / 2); const h = Math.ceil(l.h / 2); const c = l.c;
  const val = new Float32Array(w * h * c); const known = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let n = 0; const acc = [0, 0, 0, 0];
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const sx = 2 * x + dx; const sy = 2 * y + dy;
          if (sx >= l.w || sy >= l.h) continue;
          const p = sy * l.w + sx;
          if (!l.known[p]) continue;
          n++;
          for (let ch = 0; ch < c; ch++) acc[ch] += l.val[p * c + ch];
        }
      }
      const q = y * w + x;
      if (n > 0) { known[q] = 1; for (let ch = 0; ch < c; ch++) val[q * c + ch] = acc[ch] / n; }
    }
  }
  return { w, h, c, val, known };
}

/** Hole pixels of `fine` start from the coarse solution, bilinearly interpolated. */
function upsampleInto(coarse: Level, fine: Level): void {
  const c = fine.c;
  for (let y = 0; y < fine.h; y++) {
    const cy = Math.min(coarse.h - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.min(coarse.h - 1, Math.floor(cy)); const y1 = Math.min(coarse.h - 1, y0 + 1); const fy = cy - y0;
    for (let x = 0; x < fine.w; x++) {
      const p = y * fine.w + x;
      if (fine.known[p]) continue;
      const cx = Math.min(coarse.w - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.min(coarse.w - 1, Math.floor(cx)); const x1 = Math.min(coarse.w - 1, x0 + 1); const fx = cx - x0;
      for (let ch = 0; ch < c; ch++) {
        const a = coarse.val[(y0 * coarse.w + x0) * c + ch]; const b = coarse.val[(y0 * coarse.w + x1) * c + ch];
        const d = coarse.val[(y1 * coarse.w + x0) * c + ch]; const e = coarse.val[(y1 * coarse.w + x1) * c + ch];
        fine.val[p * c + ch] = (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
      }
    }
  }
}

/** Gauss–Seidel sweeps (over-relaxed) of the discrete Laplace equation on the unknown pixels. */
function relax(l: Level, holes: Int32Array, sweeps: number): void {
  const { w, h, c, val } = l;
  const omega = 1.6;
  const n = holes.length;
  // 4-neighbours of each hole pixel (value offsets; −1 where outside the image) and 1/count.
  const nb = new Int32Array(n * 4);
  const invCount = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const p = holes[k];
    const x = p % w; const y = (p - x) / w;
    nb[4 * k] = x > 0 ? (p - 1) * c : -1;
    nb[4 * k + 1] = x < w - 1 ? (p + 1) * c : -1;
    nb[4 * k + 2] = y > 0 ? (p - w) * c : -1;
    nb[4 * k + 3] = y < h - 1 ? (p + w) * c : -1;
    let cnt = 0;
    for (let j = 0; j < 4; j++) if (nb[4 * k + j] >= 0) cnt++;
    invCount[k] = cnt ? 1 / cnt : 0;
  }
  for (let s = 0; s < sweeps; s++) {
    // Alternate direction so information travels both ways.
    const fwd = (s & 1) === 0;
    for (let i = 0; i < n; i++) {
      const k = fwd ? i : n - 1 - i;
      const ic = invCount[k];
      if (ic === 0) continue;
      const o = holes[k] * c;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let j = 0; j < 4; j++) { const q = nb[4 * k + j]; if (q >= 0) acc += val[q + ch]; }
        const cur = val[o + ch];
        val[o + ch] = cur + omega * (acc * ic - cur);
      }
    }
  }
}

function holeList(known: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < known.length; i++) if (!known[i]) n++;
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < known.length; i++) if (!known[i]) out[k++] = i;
  return out;
}

/** Fills the unknown pixels of `base.val` in place; returns false when nothing is known. */
export function membraneFillLevel(base: Level): boolean {
  const levels = [base];
  while (levels[levels.length - 1].w > 2 && levels[levels.length - 1].h > 2) {
    const top = levels[levels.length - 1];
    if (holeList(top.known).length === 0) break;
    levels.push(downsample(top));
  }
  const coarsest = levels[levels.length - 1];
  const anyKnown = coarsest.known.some((k) => k === 1);
  if (!anyKnown) return false;
  relax(coarsest, holeList(coarsest.known), 200);
  for (let i = levels.length - 2; i >= 0; i--) {
    upsampleInto(levels[i + 1], levels[i]);
    relax(levels[i], holeList(levels[i].known), i === 0 ? 12 : 16);
  }
  return true;
}

export function membraneFill(img: RasterImage, hole: BinaryMask): RasterImage {
  const { width: w, height: h, channels: c } = img;
  const known = new Uint8Array(w * h);
  for (let i = 0; i < known.length; i++) known[i] = hole.data[i] ? 0 : 1;
  const base: Level = { w, h, c, val: Float32Array.from(img.data), known };
  if (!membraneFillLevel(base)) return { width: w, height: h, channels: c, data: Uint8Array.from(img.data) };
  const data = Uint8Array.from(img.data);
  for (let p = 0; p < w * h; p++) {
    if (known[p]) continue;
    for (let ch = 0; ch < c; ch++) data[p * c + ch] = Math.min(255, Math.max(0, Math.round(base.val[p * c + ch])));
  }
  return { width: w, height: h, channels: c, data };
}
