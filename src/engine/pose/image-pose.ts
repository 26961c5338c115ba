/**
 * The character's pose in the reference image: MoveNet Thunder on the whole (padded) image, refined
 * on the crop around that first result, and the same on the mirrored image; the two are merged.
 * Then each joint the video tracker places close by takes the tracker's place (see alignToTracker).
 */
import { analysisSize } from '../output-format.js';
import { KP, type Pose, type RasterImage } from '../types.js';
import { cropFromPose, wholeFrameCrop } from './crop.js';
import type { PoseWorkerPool } from './pool.js';
import { downscaleRgb, sampleRgb } from './resample.js';
import { trackVideoPoses } from './track.js';

/** Larger images are area-downscaled first: Thunder sees 256 px, so more only costs copying. */
const MAX_SIDE = 1024;
/** Mean torso score below which the image holds no body. */
export const MIN_TORSO_SCORE = 0.3;
const TORSO = [KP.left_shoulder, KP.right_shoulder, KP.left_hip, KP.right_hip];
/** COCO index of each keypoint's mirror twin (left ↔ right). */
const MIRROR = [0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15];

export function torsoScore(pose: Pose): number {
  return TORSO.reduce((s, k) => s + pose[k].score, 0) / TORSO.length;
}

export function flipImage(image: RasterImage): RasterImage {
  const { width: W, height: H, channels: C, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < H; y++) {
    const row = y * W * C;
    for (let x = 0; x < W; x++) {
      const s = row + x * C;
      const d = row + (W - 1 - x) * C;
      for (let c = 0; c < C; c++) out[d + c] = data[s + c];
    }
  }
  return { width: W, height: H, channels: C, data: out };
}

/** A pose found on the mirrored image, brought back: x mirrored and left/right swapped. */
export function unflipPose(pose: Pose, width: number): Pose {
  return MIRROR.map((m) => ({ x: width - 1 - pose[m].x, y: pose[m].y, score: pose[m].score }));
}

/** Score-weighted mean per keypoint; where the two disagree by far, the more confident one wins. */
/** The vertical span of the keypoints seen (score above 0.2); 0 with fewer than two. */
function poseHeight(pose: Pose): number {
  const ys = pose.filter((p) => p.score > 0.2).map((p) => p.y);
  return ys.length > 1 ? Math.max(...ys) - Math.min(...ys) : 0;
}

export function mergePoses(a: Pose, b: Pose): Pose {
  const far = Math.max(8, 0.08 * poseHeight(a));
  return a.map((p, k) => {
    const q = b[k];
    if (Math.hypot(p.x - q.x, p.y - q.y) > far) return p.score >= q.score ? p : q;
    const w = p.score + q.score;
    if (!(w > 0)) return { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2, score: 0 };
    return { x: (p.x * p.score + q.x * q.score) / w, y: (p.y * p.score + q.y * q.score) / w, score: w / 2 };
  });
}

async function twoPass(image: RasterImage, pool: PoseWorkerPool): Promise<Pose> {
  const first = await pool.detect(image, wholeFrameCrop(image.width, image.height), 'thunder');
  const crop = cropFromPose(first, image.width, image.height);
  if (!crop) return first;
  const second = await pool.detect(image, crop, 'thunder');
  return torsoScore(second) >= torsoScore(first) * 0.8 ? second : first;
}

/** Keypoints the tracker must be this sure of to move a joint. */
const TRACKER_MIN_SCORE = 0.3;
/** ... and it may move it by at most this share of the pose's height (further, it saw something else). */
const TRACKER_MAX_SHIFT = 0.08;

/**
 * The image as the motion tracker sees a video frame: at the analysis size (short side 360 px), one
 * frame tracked with the same model and crops (pose/track.ts). In image pixels; null if it saw no torso.
 */
export async function detectAsTracked(input: RasterImage, pool: PoseWorkerPool): Promise<Pose | null> {
  const size = analysisSize(input.width, input.height);
  const data = new Uint8Array(size.width * size.height * 3);
  sampleRgb(input, { x: 0, y: 0, width: input.width, height: input.height }, size.width, size.height, data);
  async function* oneFrame(): AsyncIterable<RasterImage> { yield { ...size, channels: 3, data }; }
  const [pose] = (await trackVideoPoses(oneFrame(), pool, { fps: 1 })).poses;
  if (!pose || torsoScore(pose) < MIN_TORSO_SCORE) return null;
  const kx = input.width / size.width; const ky = input.height / size.height;
  return pose.map((p) => ({ x: (p.x + 0.5) * kx - 0.5, y: (p.y + 0.5) * ky - 0.5, score: p.score }));
}

/**
 * The driving joints come from the video tracker (MoveNet Lightning on 360 px frames); the
 * character's from Thunder on the whole picture. The two models place the same joint a few pixels
 * apart (5–9 px at 720p on the first frames of the fixture videos, 1–2.5 px for the tracker against
 * itself), and the retargeting takes that difference for motion: the whole figure is off where it
 * should stand still. So each keypoint the tracker is sure of, and places near Thunder's, takes
 * the tracker's place; where it is unsure or far off (a drawing, a hand it lost), Thunder's stays.
 */
export function alignToTracker(base: Pose, tracked: Pose): Pose {
  const far = TRACKER_MAX_SHIFT * poseHeight(base);
  return base.map((p, k) => {
    const q = tracked[k];
    if (q.score < TRACKER_MIN_SCORE || Math.hypot(p.x - q.x, p.y - q.y) > far) return p;
    return { x: q.x, y: q.y, score: Math.max(p.score, q.score) };
  });
}

export async function detectImagePose(input: RasterImage, pool: PoseWorkerPool): Promise<{ pose: Pose; score: number } | null> {
  const { image, factor } = downscaleRgb(input, MAX_SIDE);
  const trackedP = detectAsTracked(input, pool);
  trackedP.catch(() => undefined);
  const [direct, mirrored] = await Promise.all([twoPass(image, pool), twoPass(flipImage(image), pool)]);
  const back = unflipPose(mirrored, image.width);
  const directOk = torsoScore(direct) >= MIN_TORSO_SCORE;
  const mirroredOk = torsoScore(back) >= MIN_TORSO_SCORE;
  let pose: Pose;
  if (directOk && mirroredOk) pose = mergePoses(direct, back);
  else if (directOk || mirroredOk) pose = directOk ? direct : back;
  else return null;
  const score = torsoScore(pose);
  if (score < MIN_TORSO_SCORE) return null;
  // Back to input pixels (pixel centres: i ↦ (i + 0.5) / factor − 0.5).
  const up = (v: number) => (v + 0.5) / factor - 0.5;
  const full = pose.map((p) => ({ x: up(p.x), y: up(p.y), score: p.score }));
  const tracked = await trackedP;
  return { pose: tracked ? alignToTracker(full, tracked) : full, score };
}
