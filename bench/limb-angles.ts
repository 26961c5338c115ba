/** Limb-angle comparison used by bench:quality (pure; unit-tested). */
import type { Pose } from '../src/engine/types.js';

/** COCO index pairs: upper arms, forearms, thighs, shins. */
export const LIMBS: { name: string; a: number; b: number }[] = [
  { name: 'l_upper_arm', a: 5, b: 7 }, { name: 'l_forearm', a: 7, b: 9 },
  { name: 'r_upper_arm', a: 6, b: 8 }, { name: 'r_forearm', a: 8, b: 10 },
  { name: 'l_thigh', a: 11, b: 13 }, { name: 'l_shin', a: 13, b: 15 },
  { name: 'r_thigh', a: 12, b: 14 }, { name: 'r_shin', a: 14, b: 16 },
];
const SWAP = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15];
export const MIN_SCORE = 0.3;

function limbAngle(p: Pose, a: number, b: number): number | null {
  if (p[a].score < MIN_SCORE || p[b].score < MIN_SCORE) return null;
  return Math.atan2(p[b].y - p[a].y, p[b].x - p[a].x);
}

function angleDiffDeg(x: number, y: number): number {
  return (Math.abs(Math.atan2(Math.sin(x - y), Math.cos(x - y))) * 180) / Math.PI;
}

/** Mean limb-angle error (degrees) between two poses over limbs seen in both; null if none. */
export function meanError(out: Pose, drv: Pose): number | null {
  let sum = 0;
  let n = 0;
  for (const l of LIMBS) {
    const a = limbAngle(out, l.a, l.b);
    const b = limbAngle(drv, l.a, l.b);
    if (a === null || b === null) continue;
    sum += angleDiffDeg(a, b);
    n++;
  }
  return n ? sum / n : null;
}

export function swapSides(p: Pose): Pose {
  return SWAP.map((k) => p[k]);
}

/**
 * Per-frame error with left/right labels allowed to swap (a mirrored character, or a person seen
 * from behind, is labelled the other way by the detector while the image-plane angles match).
 */
export function frameError(out: Pose, drv: Pose): number | null {
  const direct = meanError(out, drv);
  const swapped = meanError(swapSides(out), drv);
  if (direct === null) return swapped;
  if (swapped === null) return direct;
  return Math.min(direct, swapped);
}

export function torsoFound(p: Pose): boolean {
  return [5, 6, 11, 12].every((k) => p[k].score >= MIN_SCORE);
}

/** Mean second difference of confident keypoints, in units of the median torso length. */
export function jitter(poses: Pose[]): number {
  const torso: number[] = [];
  for (const p of poses) {
    if (!torsoFound(p)) continue;
    const sx = (p[5].x + p[6].x) / 2, sy = (p[5].y + p[6].y) / 2;
    const hx = (p[11].x + p[12].x) / 2, hy = (p[11].y + p[12].y) / 2;
    torso.push(Math.hypot(sx - hx, sy - hy));
  }
  torso.sort((a, b) => a - b);
  const scale = torso.length ? torso[Math.floor(torso.length / 2)] : 1;
  let sum = 0;
  let n = 0;
  for (let t = 1; t + 1 < poses.length; t++) {
    for (let k = 0; k < 17; k++) {
      const a = poses[t - 1][k], b = poses[t][k], c = poses[t + 1][k];
      if (a.score < MIN_SCORE || b.score < MIN_SCORE || c.score < MIN_SCORE) continue;
      sum += Math.hypot(a.x - 2 * b.x + c.x, a.y - 2 * b.y + c.y);
      n++;
    }
  }
  return n ? sum / n / scale : 0;
}

/**
 * Mean limb-angle error of output frame t against driving frame t + offset, for each offset (over
 * driving frames with a torso). A frame-exact output is best at offset 0; +1 means the output is
 * one frame early (it shows at t what the video shows at t + 1).
 */
export function errorByOffset(out: Pose[], drv: Pose[], offsets: number[]): { offset: number; error: number; frames: number }[] {
  return offsets.map((offset) => {
    let sum = 0;
    let frames = 0;
    for (let t = 0; t < out.length; t++) {
      const d = drv[t + offset];
      if (!d || !torsoFound(d)) continue;
      const e = frameError(out[t], d);
      if (e === null) continue;
      sum += e;
      frames++;
    }
    return { offset, error: frames ? sum / frames : NaN, frames };
  });
}
