/**
 * Which way a person faces, from COCO left/right order: in a front view the person's left shoulder
 * is on the image's right (larger x). Reversed order means facing away; a narrow shoulder line
 * relative to the torso means a profile, which gives no answer.
 */
import { KP, type Pose } from '../types.js';

const MIN_SCORE = 0.3;
/** Shoulder width below this share of torso length reads as a profile. */
const PROFILE_RATIO = 0.25;

export function isFacingAway(pose: Pose): boolean | null {
  const ls = pose[KP.left_shoulder];
  const rs = pose[KP.right_shoulder];
  if (ls.score < MIN_SCORE || rs.score < MIN_SCORE) return null;
  const lh = pose[KP.left_hip];
  const rh = pose[KP.right_hip];
  const hips = lh.score >= MIN_SCORE && rh.score >= MIN_SCORE;
  const midS = { x: (ls.x + rs.x) / 2, y: (ls.y + rs.y) / 2 };
  const shoulderDx = ls.x - rs.x;
  const shoulderW = Math.hypot(ls.x - rs.x, ls.y - rs.y);
  let torso: number;
  if (hips) {
    torso = Math.hypot((lh.x + rh.x) / 2 - midS.x, (lh.y + rh.y) / 2 - midS.y);
  } else {
    // Without hips, a shoulder line that is mostly vertical still says "profile or lying".
    torso = shoulderW * 1.5;
  }
  if (!(torso > 0)) return null;
  if (Math.abs(shoulderDx) < PROFILE_RATIO * torso) return null;
  // Hips pointing the other way than the shoulders (a twist) leave it undecided.
  if (hips) {
    const hipDx = lh.x - rh.x;
    if (Math.abs(hipDx) >= PROFILE_RATIO * torso * 0.5 && Math.sign(hipDx) !== Math.sign(shoulderDx)) return null;
  }
  return shoulderDx < 0;
}
