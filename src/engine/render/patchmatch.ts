/**
 * One pyramid level of exemplar inpainting: a nearest-neighbour field from every patch that
 * touches the hole to a patch of known pixels (PatchMatch, Barnes et al. 2009: propagation from
 * scan neighbours plus random search in shrinking windows), and Wexler-style voting, where each
 * hole pixel becomes the similarity-weighted mean of what every overlapping patch's match says.
 */
import { mulberry32 } from '../geometry/random.js';

/** The patch is (2R+1)² pixels. */
export const R = 3;
/** How far a source patch may hang over the image's edge (see validCentres). */
export const OVERHANG = 1;

export interface PatchLevel {
  w: number; h: number; c: number;
  /** Current colours, c floats per pixel; known pixels exact, hole pixels the current estimate. */
  val: Float32Array;
  /** 1 where the pixel is to be filled. */
  hole: Uint8Array;
  /** 1 where a patch centred here may serve as a source: inside the image, all known (and allowed). */
  valid: Uint8Array;
}

export interface Nnf {
  /** Pixel indices of patch centres whose patch overlaps the hole. */
  targets: Int32Array;
  /** Target index per pixel, -1 where the pixel is not a target. */
  index: Int32Array;
  /** The matched source centre per target. */
  src: Int32Array;
  /** Mean squared difference per target (over the pixels both patches have). */
  dist: Float32Array;
}

/** Patch centres within Chebyshev distance R of a hole pixel, and the per-pixel index. */
export function targetsOf(l: PatchLevel): { targets: Int32Array; index: Int32Array } {
  const { w, h, hole } = l;
  const near = new Uint8Array(w * h);
  // Separable box dilation by R.
  const rowNear = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    let last = -Infinity;
    for (let x = 0; x < w; x++) { if (hole[y * w + x]) last = x; if (x - last <= R) rowNear[y * w + x] = 1; }
    last = Infinity;
    for (let x = w - 1; x >= 0; x--) { if (hole[y * w + x]) last = x; if (last - x <= R) rowNear[y * w + x] = 1; }
  }
  for (let x = 0; x < w; x++) {
    let last = -Infinity;
    for (let y = 0; y < h; y++) { if (rowNear[y * w + x]) last = y; if (y - last <= R) near[y * w + x] = 1; }
    last = Infinity;
    for (let y = h - 1; y >= 0; y--) { if (rowNear[y * w + x]) last = y; if (last - y <= R) near[y * w + x] = 1; }
  }
  let n = 0;
  for (let i = 0; i < near.length; i++) n += near[i];
  const targets = new Int32Array(n);
  const index = new Int32Array(w * h).fill(-1);
  for (let i = 0, k = 0; i < near.length; i++) if (near[i]) { index[i] = k; targets[k++] = i; }
  return { targets, index };
}

/**
 * Source validity: the patch's pixels that lie inside the image are all in `allowed`. Patches may
 * hang over the image's edge by OVERHANG pixels, so a thin strip of floor along the bottom still
 * serves as a source; no more, or a corner patch, compared over a few pixels, matches anything.
 */
export function validCentres(w: number, h: number, allowed: Uint8Array): Uint8Array {
  const bad = new Int32Array((w + 1) * (h + 1)); // summed-area table of disallowed pixels
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += allowed[y * w + x] ? 0 : 1;
      bad[(y + 1) * (w + 1) + x + 1] = bad[y * (w + 1) + x + 1] + row;
    }
  }
  const out = new Uint8Array(w * h);
  const edge = R - OVERHANG;
  for (let y = edge; y < h - edge; y++) {
    const y0 = Math.max(0, y - R); const y1 = Math.min(h, y + R + 1);
    for (let x = edge; x < w - edge; x++) {
      const x0 = Math.max(0, x - R); const x1 = Math.min(w, x + R + 1);
      const s = bad[y1 * (w + 1) + x1] - bad[y0 * (w + 1) + x1] - bad[y1 * (w + 1) + x0] + bad[y0 * (w + 1) + x0];
      if (s === 0) out[y * w + x] = 1;
    }
  }
  return out;
}

/**
 * Mean squared difference between the patches at target centre t and source centre s over the
 * pixels both have inside the image; abandoned once the running sum says it exceeds `limit`.
 */
function patchDistance(l: PatchLevel, t: number, s: number, limit: number): number {
  const { w, h, c, val } = l;
  const tx = t % w; const ty = (t - tx) / w;
  const sx = s % w; const sy = (s - sx) / w;
  const dx0 = Math.max(-R, -tx, -sx); const dx1 = Math.min(R, w - 1 - tx, w - 1 - sx);
  const dy0 = Math.max(-R, -ty, -sy); const dy1 = Math.min(R, h - 1 - ty, h - 1 - sy);
  const n = (dx1 - dx0 + 1) * (dy1 - dy0 + 1) * c;
  const cap = limit * n;
  let sum = 0;
  for (let dy = dy0; dy <= dy1; dy++) {
    let ti = ((ty + dy) * w + tx + dx0) * c;
    let si = ((sy + dy) * w + sx + dx0) * c;
    for (let dx = dx0; dx <= dx1; dx++) {
      for (let ch = 0; ch < c; ch++) { const d = val[ti + ch] - val[si + ch]; sum += d * d; }
      ti += c; si += c;
    }
    if (sum > cap) return sum / n;
  }
  return sum / n;
}

/**
 * A match's cost grows with the square of the distance to its source (as a mean squared difference,
 * this much at the image's diagonal): of two equally good sources the nearer wins, so the road beside
 * the feet fills the road under them, not a piece of sky from far above. Vertical distance costs more
 * than horizontal: a scene's bands (sky, wall, ground) run across the picture and its texture's scale
 * follows the height, so the wall beside a hole continues the wall, where the sky above or the lit
 * steps below had run into it (cartoon1's plate: red and pale blots and a hand-shaped patch inside the
 * paving; a band test in render-image.test.ts).
 */
const SPATIAL = 300;
const SPATIAL_Y = 2000;

function spatialCost(l: PatchLevel, t: number, s: number): number {
  const tx = t % l.w; const ty = (t - tx) / l.w; const sx = s % l.w; const sy = (s - sx) / l.w;
  return (SPATIAL * (tx - sx) ** 2 + SPATIAL_Y * (ty - sy) ** 2) / (l.w * l.w + l.h * l.h);
}

function matchCost(l: PatchLevel, t: number, s: number, limit: number): number {
  const near = spatialCost(l, t, s);
  return near + patchDistance(l, t, s, limit - near);
}

export function refreshDistances(l: PatchLevel, f: Nnf): void {
  for (let k = 0; k < f.targets.length; k++) f.dist[k] = matchCost(l, f.targets[k], f.src[k], Infinity);
}

/** Deterministic random numbers: the same image gives the same plate. */
export const randomSource = mulberry32;

/**
 * PatchMatch passes over the targets, alternating scan direction. `window` bounds the random
 * search (pixels): sources far from the hole rarely continue what surrounds it.
 */
export function searchNnf(l: PatchLevel, f: Nnf, passes: number, window: number, rand: () => number): void {
  const { w, h, valid } = l;
  const { targets, index, src, dist } = f;
  const n = targets.length;
  const tryCandidate = (k: number, s: number): void => {
    if (s < 0 || s >= w * h || !valid[s] || s === src[k]) return;
    const d = matchCost(l, targets[k], s, dist[k]);
    if (d < dist[k]) { dist[k] = d; src[k] = s; }
  };
  for (let pass = 0; pass < passes; pass++) {
    const fwd = (pass & 1) === 0;
    const step = fwd ? 1 : -1;
    for (let i = 0; i < n; i++) {
      const k = fwd ? i : n - 1 - i;
      const t = targets[k];
      const tx = t % w; const ty = (t - tx) / w;
      // Propagation: the scan neighbour's match, shifted by one.
      const nx = tx - step; const ny = ty - step;
      if (nx >= 0 && nx < w) {
        const j = index[t - step];
        if (j >= 0) { const s = src[j]; const sx = s % w + step; if (sx >= 0 && sx < w) tryCandidate(k, s + step); }
      }
      if (ny >= 0 && ny < h) {
        const j = index[t - step * w];
        if (j >= 0) tryCandidate(k, src[j] + step * w);
      }
      // Random search around the current best, in windows halving down to one pixel.
      for (let rad = window; rad >= 1; rad >>= 1) {
        const b = src[k]; const bx = b % w; const by = (b - bx) / w;
        const x = Math.min(w - 1, Math.max(0, bx + Math.round((2 * rand() - 1) * rad)));
        const y = Math.min(h - 1, Math.max(0, by + Math.round((2 * rand() - 1) * rad)));
        tryCandidate(k, y * w + x);
      }
    }
  }
}

/**
 * Wexler voting: each hole pixel is the weighted mean, over the patches covering it, of the
 * corresponding pixel of each patch's match. Weights fall with the match's distance (σ² = the
 * 75th percentile of the distances), so a bad match hardly blurs a good one. `out` (default: the
 * level's own values) receives the result, so known pixels can be predicted without being changed.
 */
export function vote(l: PatchLevel, f: Nnf, holes: Int32Array, uniform: boolean, radius = R, out: Float32Array = l.val): void {
  const { w, h, c, val } = l;
  const { index, src, dist } = f;
  const weight = new Float32Array(dist.length).fill(1);
  if (!uniform && dist.length > 0) {
    const sorted = Float32Array.from(dist).sort();
    const sigma2 = Math.max(1e-6, sorted[Math.floor(0.75 * (sorted.length - 1))]);
    for (let k = 0; k < dist.length; k++) weight[k] = Math.exp(-dist[k] / (2 * sigma2)) + 1e-6;
  }
  const acc = new Float64Array(c);
  for (const q of holes) {
    const qx = q % w; const qy = (q - qx) / w;
    acc.fill(0);
    let wsum = 0;
    for (let dy = -radius; dy <= radius; dy++) {
      const py = qy - dy;
      if (py < 0 || py >= h) continue;
      for (let dx = -radius; dx <= radius; dx++) {
        const px = qx - dx;
        if (px < 0 || px >= w) continue;
        const k = index[py * w + px];
        if (k < 0) continue;
        const sk = src[k]; const sx = sk % w + dx; const sy = (sk - (sk % w)) / w + dy;
        if (sx < 0 || sx >= w || sy < 0 || sy >= h) continue;
        const s = (sy * w + sx) * c;
        const wk = weight[k];
        for (let ch = 0; ch < c; ch++) acc[ch] += wk * val[s + ch];
        wsum += wk;
      }
    }
    if (wsum > 0) for (let ch = 0; ch < c; ch++) out[q * c + ch] = acc[ch] / wsum;
  }
}

/**
 * The coarsest level's first guess, grown from the hole's edge inwards (onion peel): each edge
 * pixel takes the centre of the source patch that best matches its already-known neighbours,
 * found by exhaustive search (the level is tiny). Structure such as a wall's top edge runs on into
 * the hole, where a membrane start would blend everything into one mean colour.
 */
export function onionPeelInit(l: PatchLevel, validList: Int32Array): void {
  const { w, h, c, val } = l;
  const filled = new Uint8Array(w * h);
  for (let p = 0; p < filled.length; p++) filled[p] = l.hole[p] ? 0 : 1;
  let front: number[] = [];
  const isEdge = (p: number): boolean => {
    const x = p % w; const y = (p - x) / w;
    return (x > 0 && filled[p - 1] === 1) || (x < w - 1 && filled[p + 1] === 1) || (y > 0 && filled[p - w] === 1) || (y < h - 1 && filled[p + w] === 1);
  };
  for (let p = 0; p < filled.length; p++) if (!filled[p] && isEdge(p)) front.push(p);
  const stride = Math.max(1, Math.floor(validList.length / 500));
  const knownAround = (t: number): number => {
    const tx = t % w; const ty = (t - tx) / w;
    let n = 0;
    for (let y = Math.max(0, ty - R); y <= Math.min(h - 1, ty + R); y++) {
      for (let x = Math.max(0, tx - R); x <= Math.min(w - 1, tx + R); x++) if (filled[y * w + x] === 1) n++;
    }
    return n;
  };
  while (front.length > 0) {
    // Pixels that see little of the known image wait for a later ring (as Criminisi's priority).
    const counts = front.map(knownAround);
    const most = Math.max(...counts);
    const done: number[] = [];
    const waiting: number[] = [];
    for (let f = 0; f < front.length; f++) {
      const t = front[f];
      if (counts[f] < 0.5 * most) { waiting.push(t); continue; }
      const tx = t % w; const ty = (t - tx) / w;
      let best = -1; let bestD = Infinity;
      for (let i = 0; i < validList.length; i += stride) {
        const s = validList[i];
        let sum = 0; let n = 0;
        for (let dy = -R; dy <= R; dy++) {
          const y = ty + dy;
          if (y < 0 || y >= h) continue;
          for (let dx = -R; dx <= R; dx++) {
            const x = tx + dx;
            if (x < 0 || x >= w || filled[y * w + x] !== 1) continue;
            const ssx = s % w + dx; const ssy = (s - (s % w)) / w + dy;
            if (ssx < 0 || ssx >= w || ssy < 0 || ssy >= h) continue;
            const ti = (y * w + x) * c; const si = (ssy * w + ssx) * c;
            for (let ch = 0; ch < c; ch++) { const d = val[ti + ch] - val[si + ch]; sum += d * d; }
            n++;
          }
        }
        const mean = n > 0 ? sum / (n * c) + spatialCost(l, t, s) : Infinity;
        if (mean < bestD) { bestD = mean; best = s; }
      }
      if (best >= 0) for (let ch = 0; ch < c; ch++) val[t * c + ch] = val[best * c + ch];
      done.push(t);
    }
    // The whole ring is marked at once, so the ring's scan order does not bias the fill.
    for (const t of done) filled[t] = 1;
    for (const t of waiting) filled[t] = 3;
    const next: number[] = [...waiting];
    for (const t of done) {
      const x = t % w; const y = (t - x) / w;
      for (const q of [x > 0 ? t - 1 : -1, x < w - 1 ? t + 1 : -1, y > 0 ? t - w : -1, y < h - 1 ? t + w : -1]) {
        if (q >= 0 && filled[q] === 0) { filled[q] = 3; next.push(q); }
      }
    }
    for (const q of next) filled[q] = 0;
    front = next;
  }
}
