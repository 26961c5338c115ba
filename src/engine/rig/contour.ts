/** Boundary loops of a binary mask (Moore-neighbour tracing) and their simplification. */
import { components, type BinaryMask } from '../segment/mask.js';

// Neighbour directions clockwise (y down), starting west.
const DX = [-1, -1, 0, 1, 1, 1, 0, -1];
const DY = [0, -1, -1, -1, 0, 1, 1, 1];
const W = 0; const S = 6;

function dirOf(dx: number, dy: number): number {
  for (let d = 0; d < 8; d++) if (DX[d] === dx && DY[d] === dy) return d;
  return -1;
}

/**
 * Moore-neighbour tracing from `start`, whose neighbour in direction `back` is background; stops by
 * Jacob's criterion (back at the start, entered the same way). Returns pixel indices in order.
 */
function trace(m: BinaryMask, start: number, back: number): number[] {
  const { width: w, height: h, data } = m;
  const set = (x: number, y: number) => x >= 0 && y >= 0 && x < w && y < h && data[y * w + x] === 1;
  const out = [start];
  let cx = start % w; let cy = (start - cx) / w; let b = back;
  const limit = 4 * w * h + 8;
  for (let step = 0; step < limit; step++) {
    let moved = false;
    for (let i = 1; i <= 8; i++) {
      const d = (b + i) % 8;
      const nx = cx + DX[d]; const ny = cy + DY[d];
      if (!set(nx, ny)) continue;
      const pd = (b + i - 1) % 8; // the background neighbour checked just before
      const bx = cx + DX[pd]; const by = cy + DY[pd];
      cx = nx; cy = ny; b = dirOf(bx - cx, by - cy);
      moved = true;
      break;
    }
    if (!moved) return out; // isolated pixel
    const p = cy * w + cx;
    if (p === start && b === back) return out;
    out.push(p);
  }
  return out;
}

/** Outer contours of the given component ids and contours of holes inside them of at least minHole px. */
export function boundaryLoops(m: BinaryMask, minHole: number): number[][] {
  const { width: w, height: h } = m;
  const loops: number[][] = [];
  const fg = components(m, 1);
  const seen = new Set<number>();
  for (let p = 0; p < w * h; p++) {
    const id = fg.labels[p];
    if (id === 0 || seen.has(id)) continue;
    seen.add(id);
    loops.push(trace(m, p, W));
  }
  const bg = components(m, 0);
  const border = new Set<number>();
  for (let x = 0; x < w; x++) { border.add(bg.labels[x]); border.add(bg.labels[(h - 1) * w + x]); }
  for (let y = 0; y < h; y++) { border.add(bg.labels[y * w]); border.add(bg.labels[y * w + w - 1]); }
  const seenHole = new Set<number>();
  for (let p = w; p < w * h; p++) {
    const id = bg.labels[p];
    if (id === 0 || border.has(id) || seenHole.has(id)) continue;
    seenHole.add(id);
    // Raster-first pixel of a hole: the pixel above it is foreground, and the hole lies south of it.
    if (bg.sizes[id] >= minHole) loops.push(trace(m, p - w, S));
  }
  return loops;
}

/** Douglas–Peucker on an open polyline of points (x, y pairs) between indices a and b (inclusive). */
function dp(xs: number[], ys: number[], a: number, b: number, tol: number, keep: Uint8Array): void {
  const ax = xs[a]; const ay = ys[a]; const bx = xs[b]; const by = ys[b];
  const lx = bx - ax; const ly = by - ay; const len = Math.hypot(lx, ly);
  let worst = -1; let worstD = tol;
  for (let i = a + 1; i < b; i++) {
    const d = len > 1e-9 ? Math.abs(lx * (ys[i] - ay) - ly * (xs[i] - ax)) / len : Math.hypot(xs[i] - ax, ys[i] - ay);
    if (d > worstD) { worstD = d; worst = i; }
  }
  if (worst < 0) return;
  keep[worst] = 1;
  dp(xs, ys, a, worst, tol, keep);
  dp(xs, ys, worst, b, tol, keep);
}

/**
 * A closed loop of pixel indices simplified (Douglas–Peucker, tolerance `tol`) and resampled so no
 * edge is longer than `spacing`; returns x, y pairs.
 */
export function simplifyLoop(loop: number[], w: number, tol: number, spacing: number): number[] {
  const n = loop.length;
  const xs = loop.map((p) => p % w); const ys = loop.map((p) => Math.floor(p / w));
  if (n < 3) return xs.flatMap((x, i) => [x, ys[i]]);
  let far = 0; let farD = -1;
  for (let i = 0; i < n; i++) {
    const d = (xs[i] - xs[0]) ** 2 + (ys[i] - ys[0]) ** 2;
    if (d > farD) { farD = d; far = i; }
  }
  // Close the loop by repeating the first point at the end.
  xs.push(xs[0]); ys.push(ys[0]);
  const keep = new Uint8Array(n + 1);
  keep[0] = 1; keep[far] = 1; keep[n] = 1;
  dp(xs, ys, 0, far, tol, keep);
  dp(xs, ys, far, n, tol, keep);
  const kept: number[] = [];
  for (let i = 0; i < n; i++) if (keep[i]) kept.push(i);
  const out: number[] = [];
  for (let k = 0; k < kept.length; k++) {
    const i = kept[k]; const j = k + 1 < kept.length ? kept[k + 1] : n;
    const x0 = xs[i]; const y0 = ys[i]; const x1 = xs[j]; const y1 = ys[j];
    const pieces = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / spacing));
    for (let s = 0; s < pieces; s++) {
      // Resampled points snap to the traced pixels, so they stay on the outline.
      const t = s / pieces;
      const idx = s === 0 ? i : Math.round(i + t * (j - i));
      out.push(xs[idx], ys[idx]);
    }
  }
  return out;
}
