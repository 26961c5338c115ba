/**
 * BlazePose landmarks on a crop placed from a MoveNet pose (so the BlazePose detector is skipped):
 * where the crop goes, and the model's 33 × (x, y, z, visibility, presence) back in frame pixels.
 * Pure; the model run is in inference.ts.
 */
import { KP, type Pose } from '../types.js';
import { MIN_CROP_KEYPOINT_SCORE, type CropRect } from './crop.js';

export const BLAZEPOSE_SIZE = 256;
export const BLAZEPOSE_LANDMARKS = 33;
/** Values per landmark in the model's `ld_3d` output and in our Landmarks array. */
export const LANDMARK_STRIDE = 5;

/** BlazePose landmark indices the engine uses. */
export const BP = {
  nose: 0, left_ear: 7, right_ear: 8,
  left_shoulder: 11, right_shoulder: 12, left_elbow: 13, right_elbow: 14, left_wrist: 15, right_wrist: 16,
  left_hip: 23, right_hip: 24, left_knee: 25, right_knee: 26, left_ankle: 27, right_ankle: 28,
} as const;

/**
 * 33 × (x, y, z, visibility, presence): x, y in frame px; z in frame px too (same scale as x, smaller
 * = nearer the camera, 0 about the hips' depth); visibility and presence 0..1.
 */
export type Landmarks = Float32Array;

/** The detector's region of interest is the body's enclosing circle from the mid-hip, widened 1.25×. */
const ROI_EXPAND = 1.25;
/** The nose is not the top of the head: the circle reaches past it by this share of the nose-to-shoulders distance. */
const HEAD_TOP_EXTRA = 0.9;

/**
 * The square BlazePose crop for a pose (frame px): centred on the mid-hip like the detector's ROI,
 * large enough for every confident keypoint plus the top of the head; null without a torso.
 */
export function blazeCropFromPose(pose: Pose): CropRect | null {
  const ok = (k: number) => pose[k].score > MIN_CROP_KEYPOINT_SCORE;
  const hips = [KP.left_hip, KP.right_hip].filter(ok);
  const shoulders = [KP.left_shoulder, KP.right_shoulder].filter(ok);
  if (shoulders.length === 0) return null;
  const mean = (ks: number[]) => ({
    x: ks.reduce((s, k) => s + pose[k].x, 0) / ks.length, y: ks.reduce((s, k) => s + pose[k].y, 0) / ks.length,
  });
  const s = mean(shoulders);
  // No hips seen (a half-body shot): the centre sits one torso length below the shoulders' width.
  let c: { x: number; y: number };
  if (hips.length > 0) c = mean(hips);
  else {
    const w = shoulders.length === 2 ? Math.abs(pose[KP.left_shoulder].x - pose[KP.right_shoulder].x) : 0;
    c = { x: s.x, y: s.y + Math.max(w, 1) * 1.5 };
  }
  let r = Math.hypot(s.x - c.x, s.y - c.y);
  for (const p of pose) if (p.score > MIN_CROP_KEYPOINT_SCORE) r = Math.max(r, Math.hypot(p.x - c.x, p.y - c.y));
  const nose = pose[KP.nose];
  if (ok(KP.nose)) {
    const above = HEAD_TOP_EXTRA * Math.hypot(nose.x - s.x, nose.y - s.y);
    const dx = nose.x - s.x;
    const dy = nose.y - s.y;
    const len = Math.hypot(dx, dy) || 1;
    r = Math.max(r, Math.hypot(nose.x + (dx / len) * above - c.x, nose.y + (dy / len) * above - c.y));
  }
  if (!(r > 0)) return null;
  const half = r * ROI_EXPAND;
  return { x: c.x - half, y: c.y - half, width: 2 * half, height: 2 * half };
}

function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

/**
 * The model's `ld_3d` output (crop px of the 256² input; visibility and presence as logits) to
 * Landmarks in frame px (pixel i's centre is at i, as for MoveNet).
 */
export function landmarksFromCropOutput(out: ArrayLike<number>, crop: CropRect): Landmarks {
  const lm = new Float32Array(BLAZEPOSE_LANDMARKS * LANDMARK_STRIDE);
  const sx = crop.width / BLAZEPOSE_SIZE;
  const sy = crop.height / BLAZEPOSE_SIZE;
  for (let i = 0; i < BLAZEPOSE_LANDMARKS; i++) {
    const o = i * LANDMARK_STRIDE;
    lm[o] = crop.x - 0.5 + out[o] * sx;
    lm[o + 1] = crop.y - 0.5 + out[o + 1] * sy;
    lm[o + 2] = out[o + 2] * sx;
    lm[o + 3] = sigmoid(out[o + 3]);
    lm[o + 4] = sigmoid(out[o + 4]);
  }
  return lm;
}
