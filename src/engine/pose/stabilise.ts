/**
 * The torso's keypoints refined by the video's own pixels.
 *
 * MoveNet places the shoulders and hips to a few pixels (it sees the person in a 192-pixel crop), and
 * its error follows the pose: a dancer lifting her arms moves her shoulder points while her chest
 * stays put, and a skirt hides the hips. Copied, that error makes the whole character wobble by 4–8
 * output pixels. The cloth says how the chest and the hips really moved: each is registered frame to
 * frame (register.ts), and a complementary filter fuses the two, the image for the motion from one
 * frame to the next, the keypoints for where the part is over about a second and a half.
 */
import { segmentDistance } from '../geometry/segment.js';
import { KP, type Pose, type RasterImage } from '../types.js';
import { pyramid, regionShift, type GreyImage, type Region, type Shift } from './register.js';
import type { PoseTrack } from './track.js';

const MIN_SCORE = 0.3;
/** Over this long (seconds) the fused track returns to the keypoints: the image's drift is bounded. */
const RETURN_S = 1.5;
/** A correction never exceeds this share of the torso's length. */
const MAX_CORRECTION = 0.06;

/** Luma at half size (2×2 means, rounded): what the registration reads, a twelfth of the RGB frame's bytes. */
export function greyHalf(frame: RasterImage): GreyImage {
  const w = frame.width >> 1, h = frame.height >> 1, c = frame.channels, src = frame.data, stride = frame.width * c;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 2 * y * stride + 2 * x * c;
      let s = 0;
      for (const o of [i, i + c, i + stride, i + stride + c]) s += 0.299 * src[o] + 0.587 * src[o + 1] + 0.114 * src[o + 2];
      data[y * w + x] = Math.round(s / 4);
    }
  }
  return { width: w, height: h, data };
}

interface Point { x: number; y: number }
const seen = (p: Pose, k: number) => p[k].score >= MIN_SCORE;
const mid = (p: Pose, a: number, b: number): Point => ({ x: (p[a].x + p[b].x) / 2, y: (p[a].y + p[b].y) / 2 });

const ARM_SEGMENTS: [number, number][] = [
  [KP.left_shoulder, KP.left_elbow], [KP.left_elbow, KP.left_wrist], [KP.right_shoulder, KP.right_elbow], [KP.right_elbow, KP.right_wrist],
];

export interface TorsoRegions { chest: Region | null; pelvis: Region | null; torso: number }

/**
 * In grey pixels (half the pose's): the chest, below the shoulder line and inside it, and the pelvis,
 * about the hips; each leaves out pixels near the arms (in this frame and, `ahead`, the next).
 */
export function torsoRegions(p: Pose, ahead: Pose, toGrey: number): TorsoRegions {
  if (!seen(p, KP.left_shoulder) || !seen(p, KP.right_shoulder)) return { chest: null, pelvis: null, torso: 0 };
  const neck = mid(p, KP.left_shoulder, KP.right_shoulder);
  const sw = Math.hypot(p[KP.left_shoulder].x - p[KP.right_shoulder].x, p[KP.left_shoulder].y - p[KP.right_shoulder].y);
  const hips = seen(p, KP.left_hip) && seen(p, KP.right_hip);
  const root = hips ? mid(p, KP.left_hip, KP.right_hip) : null;
  const torso = root ? Math.hypot(root.x - neck.x, root.y - neck.y) : 1.2 * sw;
  const armR = 0.12 * torso;
  const arms: [Point, Point][] = [];
  for (const q of [p, ahead]) {
    for (const [a, b] of ARM_SEGMENTS) if (seen(q, a) && seen(q, b)) arms.push([q[a], q[b]]);
  }
  const exclude = (x: number, y: number) => {
    const qx = x / toGrey, qy = y / toGrey;
    return arms.some(([a, b]) => segmentDistance(qx, qy, a.x, a.y, b.x, b.y) < armR);
  };
  const box = (cx: number, cy: number, w: number, top: number, bottom: number): Region | null => {
    const r = { x0: (cx - w / 2) * toGrey, x1: (cx + w / 2) * toGrey, y0: (cy + top) * toGrey, y1: (cy + bottom) * toGrey, exclude };
    return r.x1 - r.x0 >= 8 && r.y1 - r.y0 >= 8 ? r : null;
  };
  // Down the spine's direction, roughly: people mostly stand; a lying torso keeps its keypoints (null).
  const upright = !root || root.y - neck.y > 0.5 * torso;
  return {
    chest: upright ? box(neck.x, neck.y, 0.6 * sw, 0.1 * torso, 0.45 * torso) : null,
    pelvis: upright && root ? box(root.x, root.y, Math.max(0.9 * sw, 1.2 * Math.abs(p[KP.left_hip].x - p[KP.right_hip].x)), -0.25 * torso, 0.1 * torso) : null,
    torso,
  };
}

/**
 * Per frame, the correction (pose pixels) to add to a part's keypoints: the image's frame-to-frame
 * motion against the keypoints', summed and decaying by `alpha` a frame, bounded by `cap`.
 */
export function fuseCorrections(measured: (Shift | null)[], keypointMotion: (Shift | null)[], alpha: number, cap: number[]): Shift[] {
  const out: Shift[] = [{ dx: 0, dy: 0 }];
  for (let t = 1; t < measured.length; t++) {
    const prev = out[t - 1], m = measured[t], k = keypointMotion[t];
    let dx = alpha * prev.dx, dy = alpha * prev.dy;
    if (m && k) { dx += alpha * (m.dx - k.dx); dy += alpha * (m.dy - k.dy); }
    const len = Math.hypot(dx, dy), c = cap[t];
    if (len > c) { dx *= c / len; dy *= c / len; }
    out.push({ dx, dy });
  }
  return out;
}

const CHEST_POINTS = [KP.left_shoulder, KP.right_shoulder, KP.nose, KP.left_eye, KP.right_eye, KP.left_ear, KP.right_ear];
const PELVIS_POINTS = [KP.left_hip, KP.right_hip];

/**
 * The smoothed track with its shoulders and face moved by the chest's correction and its hips by the
 * pelvis'. `greys[t]` is frame t at half the track's size.
 */
export function stabiliseTrack(track: PoseTrack, greys: readonly GreyImage[]): PoseTrack {
  const n = Math.min(track.poses.length, greys.length);
  if (n < 2) return track;
  const toGrey = greys[0].width / track.width;
  const anchors = {
    chest: (p: Pose) => (seen(p, KP.left_shoulder) && seen(p, KP.right_shoulder) ? mid(p, KP.left_shoulder, KP.right_shoulder) : null),
    pelvis: (p: Pose) => (seen(p, KP.left_hip) && seen(p, KP.right_hip) ? mid(p, KP.left_hip, KP.right_hip) : null),
  };
  const measured = { chest: [null] as (Shift | null)[], pelvis: [null] as (Shift | null)[] };
  const motion = { chest: [null] as (Shift | null)[], pelvis: [null] as (Shift | null)[] };
  const cap: number[] = [0];
  let prev = pyramid(greys[0]);
  for (let t = 1; t < n; t++) {
    const next = pyramid(greys[t]);
    const p = track.poses[t - 1], q = track.poses[t];
    const regions = torsoRegions(p, q, toGrey);
    cap.push(MAX_CORRECTION * regions.torso);
    for (const part of ['chest', 'pelvis'] as const) {
      const a = anchors[part](p), b = anchors[part](q), r = regions[part];
      const k = a && b ? { dx: b.x - a.x, dy: b.y - a.y } : null;
      motion[part].push(k);
      const m = r && k ? regionShift(prev, next, r, { dx: k.dx * toGrey, dy: k.dy * toGrey }) : null;
      measured[part].push(m ? { dx: m.dx / toGrey, dy: m.dy / toGrey } : null);
    }
    prev = next;
  }
  const alpha = Math.exp(-1 / (RETURN_S * track.fps));
  const chest = fuseCorrections(measured.chest, motion.chest, alpha, cap);
  const pelvis = fuseCorrections(measured.pelvis, motion.pelvis, alpha, cap);
  const poses = track.poses.map((pose, t) => {
    if (t >= n) return pose;
    const out = pose.map((k) => ({ ...k }));
    for (const [points, c] of [[CHEST_POINTS, chest[t]], [PELVIS_POINTS, pelvis[t]]] as const) {
      for (const k of points) { out[k].x += c.dx; out[k].y += c.dy; }
    }
    return out;
  });
  return { ...track, poses };
}
