/** Small pure helpers over joint arrays (x, y pairs) and number series. */
import { JOINT_INDEX, type JointPositions } from '../rig/skeleton.js';

export function angleOf(j: JointPositions, from: number, to: number): number {
  return Math.atan2(j[2 * to + 1] - j[2 * from + 1], j[2 * to] - j[2 * from]);
}

export function boneLength(j: JointPositions, a: number, b: number): number {
  return Math.hypot(j[2 * b] - j[2 * a], j[2 * b + 1] - j[2 * a + 1]);
}

/** Wraps an angle to (-π, π]. */
export function wrapAngle(a: number): number {
  let r = a % (2 * Math.PI);
  if (r <= -Math.PI) r += 2 * Math.PI;
  else if (r > Math.PI) r -= 2 * Math.PI;
  return r;
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = clamp(q, 0, 1) * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** The y (down) of the lower of the two ankles. */
export function lowestAnkleY(j: JointPositions): number {
  return Math.max(j[2 * JOINT_INDEX.l_ankle + 1], j[2 * JOINT_INDEX.r_ankle + 1]);
}

/** Centred moving average with a window of 2·radius+1, shrinking at the ends (no lag). */
export function movingAverage(values: readonly number[], radius: number): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) {
    const lo = Math.max(0, i - radius);
    const hi = Math.min(values.length - 1, i + radius);
    let s = 0;
    for (let k = lo; k <= hi; k++) s += values[k];
    out[i] = s / (hi - lo + 1);
  }
  return out;
}

/** Joints a pose model saw: confidence at least 0.3 at every one given. */
export const MIN_CONF = 0.3;
export function confident(conf: Float64Array, ...joints: number[]): boolean {
  return joints.every((j) => conf[j] >= MIN_CONF);
}

/** Missing values linearly between their seen neighbours (held flat past the ends; all 0 when none is seen). */
export function interpolateNulls(values: (number | null)[]): number[] {
  const out = new Array<number>(values.length).fill(0);
  const idx = values.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
  if (idx.length === 0) return out;
  for (let i = 0; i < values.length; i++) {
    if (values[i] !== null) { out[i] = values[i]!; continue; }
    const next = idx.find((k) => k > i);
    const prev = [...idx].reverse().find((k) => k < i);
    if (prev === undefined) out[i] = values[next!]!;
    else if (next === undefined) out[i] = values[prev]!;
    else out[i] = values[prev]! + ((values[next]! - values[prev]!) * (i - prev)) / (next - prev);
  }
  return out;
}
