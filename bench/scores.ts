/** Pure pieces of bench:quality's scores: the person's box, the share of the possible gain, summaries. */
import type { Pose } from '../src/engine/types.js';
import type { Box } from './ssim.js';
import { MIN_SCORE, torsoFound } from './limb-angles.js';

/**
 * The person's box from a pose in analysis pixels, scaled by `scale` to the compared frames and
 * clamped to them; null without a torso. Keypoints stop at the eyes, wrists and ankles, so the
 * box is padded: 30% of its height above (the top of the head), 10% below and at the sides (hands, feet).
 */
export function personBox(pose: Pose, scale: number, width: number, height: number): Box | null {
  if (!torsoFound(pose)) return null;
  const seen = pose.filter((k) => k.score >= MIN_SCORE);
  const xs = seen.map((k) => k.x * scale), ys = seen.map((k) => k.y * scale);
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const h = y1 - y0;
  const box = {
    x0: Math.max(0, x0 - 0.1 * h), x1: Math.min(width, x1 + 0.1 * h),
    y0: Math.max(0, y0 - 0.3 * h), y1: Math.min(height, y1 + 0.1 * h),
  };
  return box.x1 - box.x0 >= 11 && box.y1 - box.y0 >= 11 ? box : null;
}

/** Share of the possible gain over the frozen baseline: 0 = no better than frozen, 1 = perfect. */
export function gainShare(score: number, frozen: number, perfect = 1): number {
  return (score - frozen) / (perfect - frozen);
}

export function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/**
 * One pair's figure, or its failure with the value it counts as (the frozen baseline's figure,
 * gain 0), so a failing pair never drops out of the mean.
 */
export type Outcome = { pair: string; value: number } | { pair: string; failed: string; countsAs: number };

export interface Summary { mean: number; max: number; maxPair: string; n: number; failures: string[] }

export function summarise(outcomes: Outcome[]): Summary {
  const values = outcomes.map((o) => ('failed' in o ? o.countsAs : o.value));
  let maxAt = -1;
  values.forEach((v, i) => { if (Number.isFinite(v) && (maxAt < 0 || v > values[maxAt])) maxAt = i; });
  return {
    mean: mean(values),
    max: maxAt >= 0 ? values[maxAt] : NaN,
    maxPair: maxAt >= 0 ? outcomes[maxAt].pair : '',
    n: outcomes.length,
    failures: outcomes.flatMap((o) => ('failed' in o ? [`${o.pair}: ${o.failed}`] : [])),
  };
}
