/**
 * MoveNet crop logic (after tfjs-models pose-detection movenet): a square around the body taken from
 * a previous pose, or the whole frame padded to a square when the torso is not seen.
 * All coordinates are frame pixels; crops may extend outside the frame (the outside is padding).
 */
import { KP, type Pose } from '../types.js';

export interface CropRect { x: number; y: number; width: number; height: number }

/** Keypoints above this score shape the crop (as in tfjs-models). */
export const MIN_CROP_KEYPOINT_SCORE = 0.2;
const TORSO_EXPAND = 1.9;
/** tfjs-models uses 1.2 for the previous frame; our crop comes from a few frames back, so a bit more room. */
const BODY_EXPAND = 1.3;

/** The whole frame, padded to a square of its longer side, centred. */
export function wholeFrameCrop(width: number, height: number): CropRect {
  const side = Math.max(width, height);
  return { x: (width - side) / 2, y: (height - side) / 2, width: side, height: side };
}

export function torsoVisible(pose: Pose): boolean {
  const ok = (k: number) => pose[k].score > MIN_CROP_KEYPOINT_SCORE;
  return (ok(KP.left_hip) || ok(KP.right_hip)) && (ok(KP.left_shoulder) || ok(KP.right_shoulder));
}

function meanOf(pose: Pose, keys: number[]): { x: number; y: number } {
  const seen = keys.filter((k) => pose[k].score > MIN_CROP_KEYPOINT_SCORE);
  const use = seen.length > 0 ? seen : keys;
  let x = 0;
  let y = 0;
  for (const k of use) {
    x += pose[k].x;
    y += pose[k].y;
  }
  return { x: x / use.length, y: y / use.length };
}

/**
 * The square crop for the next frame from a pose in frame pixels, centred on the hips; null when the
 * torso is not visible (the caller then resets to a wider crop).
 */
export function cropFromPose(pose: Pose, width: number, height: number): CropRect | null {
  if (!torsoVisible(pose)) return null;
  const c = meanOf(pose, [KP.left_hip, KP.right_hip]);
  let torsoX = 0;
  let torsoY = 0;
  for (const k of [KP.left_shoulder, KP.right_shoulder, KP.left_hip, KP.right_hip]) {
    if (pose[k].score <= MIN_CROP_KEYPOINT_SCORE) continue;
    torsoX = Math.max(torsoX, Math.abs(c.x - pose[k].x));
    torsoY = Math.max(torsoY, Math.abs(c.y - pose[k].y));
  }
  let bodyX = 0;
  let bodyY = 0;
  for (const kp of pose) {
    if (kp.score <= MIN_CROP_KEYPOINT_SCORE) continue;
    bodyX = Math.max(bodyX, Math.abs(c.x - kp.x));
    bodyY = Math.max(bodyY, Math.abs(c.y - kp.y));
  }
  let half = Math.max(torsoX * TORSO_EXPAND, torsoY * TORSO_EXPAND, bodyX * BODY_EXPAND, bodyY * BODY_EXPAND);
  half = Math.min(half, Math.max(c.x, width - c.x, c.y, height - c.y));
  if (!(half > 0) || half > Math.max(width, height) / 2) return wholeFrameCrop(width, height);
  return { x: c.x - half, y: c.y - half, width: 2 * half, height: 2 * half };
}

/** The same centre, `factor` times larger, but never larger than the padded whole frame. */
export function expandCrop(crop: CropRect, factor: number, width: number, height: number): CropRect {
  const whole = wholeFrameCrop(width, height);
  const w = crop.width * factor;
  const h = crop.height * factor;
  if (w >= whole.width || h >= whole.height) return whole;
  const cx = crop.x + crop.width / 2;
  const cy = crop.y + crop.height / 2;
  return { x: cx - w / 2, y: cy - h / 2, width: w, height: h };
}

/**
 * MoveNet output (y, x, score) × 17, relative to the crop, to a Pose in frame pixels (pixel i's centre
 * is at i, so the crop's edge lies half a pixel before its first sample).
 */
export function poseFromCropOutput(out: ArrayLike<number>, crop: CropRect): Pose {
  const pose: Pose = [];
  for (let k = 0; k < 17; k++) {
    const y = out[3 * k];
    const x = out[3 * k + 1];
    const s = out[3 * k + 2];
    pose.push({ x: crop.x - 0.5 + x * crop.width, y: crop.y - 0.5 + y * crop.height, score: Number.isFinite(s) ? s : 0 });
  }
  return pose;
}
