/**
 * Per-joint depth from BlazePose landmarks, as a series on a frame grid. Depth is in torso lengths
 * (mid-shoulder to mid-hip, image plane), relative to the mid-hip, larger = farther from the camera.
 * Landmarks come every few frames; z changes slowly, so the frames between are interpolated. Pure.
 */
import { JOINTS, JOINT_INDEX as J } from '../rig/skeleton.js';
import { KP, type Pose } from '../types.js';
import { BP, LANDMARK_STRIDE, type Landmarks } from './blazepose.js';

export interface JointDepths {
  /** Per character joint (JOINTS order): depth in torso lengths, larger = farther. */
  z: Float64Array;
  /** Per joint 0..1: BlazePose's visibility (low where the point is hidden behind something). */
  visibility: Float64Array;
}

/** Landmarks whose visibility is below this do not place a depth (the head falls back to the nose). */
const MIN_VISIBILITY = 0.3;
/** A torso shorter than this (px) is no body. */
const MIN_TORSO_PX = 4;

/** BlazePose and MoveNet left/right pairs: (BlazePose left, right, COCO left, right). */
const SIDE_PAIRS: [number, number, number, number][] = [
  [BP.left_shoulder, BP.right_shoulder, KP.left_shoulder, KP.right_shoulder],
  [BP.left_elbow, BP.right_elbow, KP.left_elbow, KP.right_elbow],
  [BP.left_wrist, BP.right_wrist, KP.left_wrist, KP.right_wrist],
  [BP.left_hip, BP.right_hip, KP.left_hip, KP.right_hip],
  [BP.left_knee, BP.right_knee, KP.left_knee, KP.right_knee],
  [BP.left_ankle, BP.right_ankle, KP.left_ankle, KP.right_ankle],
  [BP.left_ear, BP.right_ear, KP.left_ear, KP.right_ear],
];

/**
 * The landmarks with left/right labels agreeing with MoveNet's (the two models can disagree in back
 * and side views): a pair whose BlazePose points lie nearer the other side's MoveNet points is swapped.
 */
export function alignSides(lm: Landmarks, pose: Pose): Landmarks {
  const out = Float32Array.from(lm);
  const d = (b: number, k: number) => Math.hypot(lm[b * LANDMARK_STRIDE] - pose[k].x, lm[b * LANDMARK_STRIDE + 1] - pose[k].y);
  for (const [bl, br, kl, kr] of SIDE_PAIRS) {
    if (d(bl, kr) + d(br, kl) >= d(bl, kl) + d(br, kr)) continue;
    for (let c = 0; c < LANDMARK_STRIDE; c++) {
      out[bl * LANDMARK_STRIDE + c] = lm[br * LANDMARK_STRIDE + c];
      out[br * LANDMARK_STRIDE + c] = lm[bl * LANDMARK_STRIDE + c];
    }
  }
  return out;
}

/** The 15 character joints' depths from one frame's landmarks; null when the torso is degenerate. */
export function jointDepthsFromLandmarks(lm: Landmarks): JointDepths | null {
  const at = (k: number, c: number) => lm[k * LANDMARK_STRIDE + c];
  const mid = (a: number, b: number, c: number) => (at(a, c) + at(b, c)) / 2;
  const torso = Math.hypot(mid(BP.left_shoulder, BP.right_shoulder, 0) - mid(BP.left_hip, BP.right_hip, 0),
    mid(BP.left_shoulder, BP.right_shoulder, 1) - mid(BP.left_hip, BP.right_hip, 1));
  if (!(torso >= MIN_TORSO_PX)) return null;
  const z = new Float64Array(JOINTS.length);
  const visibility = new Float64Array(JOINTS.length);
  const hipZ = mid(BP.left_hip, BP.right_hip, 2);
  const set = (j: number, zRaw: number, vis: number) => { z[j] = (zRaw - hipZ) / torso; visibility[j] = vis; };
  const copy = (j: number, k: number) => set(j, at(k, 2), at(k, 3));
  const pair = (j: number, a: number, b: number) => set(j, mid(a, b, 2), Math.min(at(a, 3), at(b, 3)));
  pair(J.root, BP.left_hip, BP.right_hip);
  pair(J.neck, BP.left_shoulder, BP.right_shoulder);
  // The head's centre: between the nose (its front) and the ears (its middle); the nose alone when
  // both ears are hidden (profile views hide one).
  const ears = [BP.left_ear, BP.right_ear].filter((k) => at(k, 3) >= MIN_VISIBILITY);
  const earZ = ears.length ? ears.reduce((s, k) => s + at(k, 2), 0) / ears.length : at(BP.nose, 2);
  set(J.head, (at(BP.nose, 2) + earZ) / 2, at(BP.nose, 3));
  copy(J.l_shoulder, BP.left_shoulder);
  copy(J.l_elbow, BP.left_elbow);
  copy(J.l_wrist, BP.left_wrist);
  copy(J.r_shoulder, BP.right_shoulder);
  copy(J.r_elbow, BP.right_elbow);
  copy(J.r_wrist, BP.right_wrist);
  copy(J.l_hip, BP.left_hip);
  copy(J.l_knee, BP.left_knee);
  copy(J.l_ankle, BP.left_ankle);
  copy(J.r_hip, BP.right_hip);
  copy(J.r_knee, BP.right_knee);
  copy(J.r_ankle, BP.right_ankle);
  return { z, visibility };
}

/**
 * Depths on every frame of a track whose landmarks were taken on some frames (null elsewhere):
 * linear between the nearest frames that have them, held at the ends; null when none has any.
 */
export function depthSeries(
  landmarks: readonly (Landmarks | null | undefined)[], poses: readonly Pose[], frames = landmarks.length,
): JointDepths[] | null {
  const known: { t: number; d: JointDepths }[] = [];
  landmarks.forEach((lm, t) => {
    const d = lm ? jointDepthsFromLandmarks(poses[t] ? alignSides(lm, poses[t]) : lm) : null;
    if (d) known.push({ t, d });
  });
  if (known.length === 0) return null;
  const out: JointDepths[] = [];
  let k = 0;
  for (let t = 0; t < frames; t++) {
    while (k + 1 < known.length && known[k + 1].t <= t) k++;
    const a = known[k];
    const b = known[Math.min(k + 1, known.length - 1)];
    const f = b.t > a.t && t > a.t ? Math.min(1, (t - a.t) / (b.t - a.t)) : 0;
    const z = new Float64Array(JOINTS.length);
    const visibility = new Float64Array(JOINTS.length);
    for (let j = 0; j < JOINTS.length; j++) {
      z[j] = a.d.z[j] + (b.d.z[j] - a.d.z[j]) * f;
      visibility[j] = a.d.visibility[j] + (b.d.visibility[j] - a.d.visibility[j]) * f;
    }
    out.push({ z, visibility });
  }
  return out;
}

/** Depths resampled from an analysis grid (every `stride`-th output frame) to `frames` output frames. */
export function upsampleDepths(series: readonly JointDepths[], stride: number, frames: number): JointDepths[] {
  if (stride === 1 && frames === series.length) return [...series];
  const last = series.length - 1;
  const out: JointDepths[] = [];
  for (let i = 0; i < frames; i++) {
    const pos = Math.min(last, i / stride);
    const a = Math.floor(pos);
    const b = Math.min(last, a + 1);
    const f = pos - a;
    const z = new Float64Array(JOINTS.length);
    const visibility = new Float64Array(JOINTS.length);
    for (let j = 0; j < JOINTS.length; j++) {
      z[j] = series[a].z[j] + (series[b].z[j] - series[a].z[j]) * f;
      visibility[j] = series[a].visibility[j] + (series[b].visibility[j] - series[a].visibility[j]) * f;
    }
    out.push({ z, visibility });
  }
  return out;
}
