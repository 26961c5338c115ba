import { describe, expect, it } from 'vitest';
import { localQuadraticAt, sgHalfWindow, smoothTrack } from '../../src/engine/pose/smooth.js';
import type { PoseTrack } from '../../src/engine/pose/track.js';
import type { Pose } from '../../src/engine/types.js';
import { rng } from '../helpers/rng.js';


const FPS = 30;
const N = 150;
/** Fast dance-like motion: 2 Hz swing of 80 px plus a 0.5 Hz sway. */
const truthX = (t: number) => 300 + 80 * Math.sin(2 * Math.PI * 2 * t / FPS) + 30 * Math.sin(2 * Math.PI * 0.5 * t / FPS);
const truthY = (t: number) => 200 + 40 * Math.cos(2 * Math.PI * 1.5 * t / FPS);

function noisyTrack(noisePx: number, seed = 1): PoseTrack {
  const r = rng(seed);
  const g = () => (r() + r() + r() - 1.5) * 2 * noisePx; // roughly Gaussian
  const poses: Pose[] = [];
  for (let t = 0; t < N; t++) {
    poses.push(Array.from({ length: 17 }, (_, k) => ({ x: truthX(t) + k + g(), y: truthY(t) + g(), score: 0.9 })));
  }
  return { width: 640, height: 480, fps: FPS, poses };
}

function rmsError(track: PoseTrack, k: number): number {
  let s = 0;
  for (let t = 0; t < N; t++) s += (track.poses[t][k].x - truthX(t) - k) ** 2 + (track.poses[t][k].y - truthY(t)) ** 2;
  return Math.sqrt(s / N);
}

/** Mean second difference of the deviation from the truth (the motion's own curvature left out). */
function jitter(track: PoseTrack, k: number): number {
  const dx = (t: number) => track.poses[t][k].x - truthX(t) - k;
  const dy = (t: number) => track.poses[t][k].y - truthY(t);
  let s = 0;
  for (let t = 1; t + 1 < N; t++) s += Math.hypot(dx(t - 1) - 2 * dx(t) + dx(t + 1), dy(t - 1) - 2 * dy(t) + dy(t + 1));
  return s / (N - 2);
}

describe('smoothTrack', () => {
  it('reduces the error against the truth and the jitter of a noisy fast motion', () => {
    const raw = noisyTrack(4);
    const smooth = smoothTrack(raw);
    for (const k of [0, 9, 16]) {
      expect(rmsError(smooth, k)).toBeLessThan(rmsError(raw, k) * 0.7);
      expect(jitter(smooth, k)).toBeLessThan(jitter(raw, k) * 0.4);
    }
  });

  it('keeps peaks on their frame (zero phase) and their height', () => {
    const smooth = smoothTrack(noisyTrack(0));
    // Peaks of the 2 Hz swing: local maxima of x(t) away from the ends.
    const xs = smooth.poses.map((p) => p[0].x);
    const truth = Array.from({ length: N }, (_, t) => truthX(t));
    const peaks = (v: number[]) => v.map((x, t) => (t > 0 && t + 1 < v.length && x > v[t - 1] && x >= v[t + 1] ? t : -1)).filter((t) => t > 5 && t < N - 5);
    expect(peaks(xs)).toEqual(peaks(truth));
    for (const t of peaks(truth)) expect(Math.abs(xs[t] - truth[t])).toBeLessThan(0.1 * 80);
  });

  it('fills gaps up to maxGapS linearly and leaves longer gaps unseen with score 0', () => {
    const track = noisyTrack(0);
    // 6 frames (0.2 s) missing for keypoint 3, 30 frames (1 s) missing for keypoint 4.
    for (let t = 40; t < 46; t++) track.poses[t][3] = { x: 0, y: 0, score: 0.1 };
    for (let t = 60; t < 90; t++) track.poses[t][4] = { x: 9999, y: 9999, score: 0.2 };
    const s = smoothTrack(track, { minScore: 0.3, maxGapS: 0.5 });
    const lin = (t: number) => truthX(39) + (truthX(46) - truthX(39)) * (t - 39) / 7 + 3;
    for (let t = 40; t < 46; t++) {
      expect(s.poses[t][3].score).toBeGreaterThan(0.3);
      expect(Math.abs(s.poses[t][3].x - lin(t))).toBeLessThan(6);
    }
    for (let t = 60; t < 90; t++) expect(s.poses[t][4].score).toBe(0);
    expect(s.poses[59][4].score).toBeCloseTo(0.9);
    expect(s.poses[90][4].score).toBeCloseTo(0.9);
    expect(s.poses).toHaveLength(N);
    expect([s.width, s.height, s.fps]).toEqual([640, 480, FPS]);
  });

  it('never lets an unseen point leak into its neighbours', () => {
    const track = noisyTrack(0);
    for (let t = 0; t < N; t++) if (t % 40 === 20) track.poses[t][5] = { x: 1e6, y: 1e6, score: 0 };
    const s = smoothTrack(track, { maxGapS: 0 });
    for (let t = 0; t < N; t++) if (s.poses[t][5].score > 0) expect(Math.abs(s.poses[t][5].x - truthX(t) - 5)).toBeLessThan(10);
  });

  it('handles empty and very short tracks', () => {
    expect(smoothTrack({ width: 1, height: 1, fps: 24, poses: [] }).poses).toEqual([]);
    const one = { width: 10, height: 10, fps: 24, poses: [Array.from({ length: 17 }, () => ({ x: 3, y: 4, score: 0.9 }))] };
    expect(smoothTrack(one).poses[0][0]).toEqual({ x: 3, y: 4, score: 0.9 });
  });
});

describe('Savitzky–Golay pieces', () => {
  it('reproduces a quadratic exactly, also one-sided', () => {
    const v = Float64Array.from({ length: 9 }, (_, i) => 2 + 3 * i - 0.5 * i * i);
    expect(localQuadraticAt(v, 0, 8, 4)).toBeCloseTo(v[4], 9);
    expect(localQuadraticAt(v, 0, 3, 0)).toBeCloseTo(v[0], 9);
    expect(localQuadraticAt(v, 5, 6, 6)).toBeCloseTo(v[6], 9);
  });

  it('widens the window with the frame rate for the same cutoff', () => {
    expect(sgHalfWindow(24, 6)).toBe(3);
    expect(sgHalfWindow(30, 6)).toBe(4);
    expect(sgHalfWindow(60, 6)).toBe(6);
  });
});
