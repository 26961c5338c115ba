/**
 * Offline, zero-phase smoothing of a pose track: gate low-confidence points, fill short gaps linearly,
 * then a local quadratic least-squares fit (Savitzky–Golay) centred on every frame. A centred
 * symmetric fit has no lag, so peaks stay on their frame; near run ends the window is one-sided.
 */
import type { Keypoint, Pose } from '../types.js';
import type { PoseTrack } from './track.js';

export interface SmoothOptions {
  /** Points below this score count as unseen (default 0.3). */
  minScore?: number;
  /** Gaps up to this long (seconds) are interpolated; longer ones stay unseen with score 0 (default 0.5). */
  maxGapS?: number;
  /** −3 dB cutoff of the fit in Hz (default 6 Hz: keeps fast dance motion, removes detector jitter). */
  cutoffHz?: number;
}

/** Half-window of a quadratic Savitzky–Golay filter with about `cutoffHz` at `fps` (Schafer 2011 approximation). */
export function sgHalfWindow(fps: number, cutoffHz: number): number {
  // fc/(fs/2) ≈ (N+1)/(3.2M − 4.6) for order N = 2.
  const m = (1.5 * fps / cutoffHz + 4.6) / 3.2;
  return Math.max(1, Math.round(m));
}

/** Value at index `at` of the least-squares polynomial (degree ≤ 2) through (i, v[i]) for i in [a, b]. */
export function localQuadraticAt(v: Float64Array, a: number, b: number, at: number): number {
  const n = b - a + 1;
  if (n === 1) return v[a];
  const deg = n >= 3 ? 2 : 1;
  // Normal equations in t = i − at (so the answer is the constant term).
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, y0 = 0, y1 = 0, y2 = 0;
  for (let i = a; i <= b; i++) {
    const t = i - at;
    const t2 = t * t;
    s0 += 1; s1 += t; s2 += t2; s3 += t2 * t; s4 += t2 * t2;
    y0 += v[i]; y1 += v[i] * t; y2 += v[i] * t2;
  }
  if (deg === 1) {
    const det = s0 * s2 - s1 * s1;
    return det === 0 ? y0 / s0 : (y0 * s2 - s1 * y1) / det;
  }
  // Cramer's rule for [[s0 s1 s2][s1 s2 s3][s2 s3 s4]] c = [y0 y1 y2], constant term c0.
  const det = s0 * (s2 * s4 - s3 * s3) - s1 * (s1 * s4 - s3 * s2) + s2 * (s1 * s3 - s2 * s2);
  if (Math.abs(det) < 1e-12) return y0 / s0;
  const d0 = y0 * (s2 * s4 - s3 * s3) - s1 * (y1 * s4 - s3 * y2) + s2 * (y1 * s3 - s2 * y2);
  return d0 / det;
}

/** Smooths one coordinate series in place over each run of seen frames. */
function smoothRuns(v: Float64Array, seen: boolean[], half: number): Float64Array {
  const out = new Float64Array(v);
  let i = 0;
  while (i < v.length) {
    if (!seen[i]) { i++; continue; }
    let j = i;
    while (j + 1 < v.length && seen[j + 1]) j++;
    for (let t = i; t <= j; t++) {
      // Symmetric window where possible: one-sided only at the ends of a run.
      const a = Math.max(i, t - half);
      const b = Math.min(j, t + half);
      out[t] = localQuadraticAt(v, a, b, t);
    }
    i = j + 1;
  }
  return out;
}

/** Per keypoint: which frames are seen after gating and gap filling, with filled x, y, score. */
function gateAndFill(poses: Pose[], k: number, minScore: number, maxGap: number):
  { x: Float64Array; y: Float64Array; s: Float64Array; seen: boolean[] } {
  const n = poses.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const s = new Float64Array(n);
  const seen = new Array<boolean>(n).fill(false);
  for (let t = 0; t < n; t++) {
    const p = poses[t][k];
    if (p.score >= minScore && Number.isFinite(p.x) && Number.isFinite(p.y)) {
      x[t] = p.x; y[t] = p.y; s[t] = p.score; seen[t] = true;
    }
  }
  let last = -1;
  for (let t = 0; t < n; t++) {
    if (!seen[t]) continue;
    const gap = t - last - 1;
    if (last >= 0 && gap > 0 && gap <= maxGap) {
      for (let g = last + 1; g < t; g++) {
        const f = (g - last) / (t - last);
        x[g] = x[last] + (x[t] - x[last]) * f;
        y[g] = y[last] + (y[t] - y[last]) * f;
        s[g] = Math.min(s[last], s[t]);
        seen[g] = true;
      }
    }
    last = t;
  }
  return { x, y, s, seen };
}

export function smoothTrack(track: PoseTrack, o: SmoothOptions = {}): PoseTrack {
  const minScore = o.minScore ?? 0.3;
  const maxGap = Math.floor((o.maxGapS ?? 0.5) * track.fps + 1e-9);
  const half = sgHalfWindow(track.fps, o.cutoffHz ?? 6);
  const n = track.poses.length;
  const poses: Pose[] = Array.from({ length: n }, () => [] as Keypoint[]);
  const kpCount = n > 0 ? track.poses[0].length : 0;
  for (let k = 0; k < kpCount; k++) {
    const { x, y, s, seen } = gateAndFill(track.poses, k, minScore, maxGap);
    const sx = smoothRuns(x, seen, half);
    const sy = smoothRuns(y, seen, half);
    for (let t = 0; t < n; t++) {
      poses[t].push(seen[t]
        ? { x: sx[t], y: sy[t], score: s[t] }
        : { x: track.poses[t][k].x, y: track.poses[t][k].y, score: 0 });
    }
  }
  return { width: track.width, height: track.height, fps: track.fps, poses };
}
