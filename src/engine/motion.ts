/**
 * Motion extraction: decode the driving video on the output's frame grid, follow one person,
 * smooth offline (zero phase), and turn COCO keypoints into the rig's joints.
 */
import { AppError } from '../domain/errors.js';
import { readVideoFrames } from '../media/video-reader.js';
import type { PoseWorkerPool } from './pose/pool.js';
import { trackVideoPoses, type PoseTrack } from './pose/track.js';
import { smoothTrack } from './pose/smooth.js';
import { isFacingAway } from './pose/facing.js';
import { faceCentre, headRoll } from './pose/head-roll.js';
import type { GreyImage } from './pose/register.js';
import { greyHalf, stabiliseTrack } from './pose/stabilise.js';
import { depthSeries, upsampleDepths } from './pose/depth.js';
import { jointsFromCoco } from './rig/skeleton.js';
import type { DrivingTrack } from './retarget/retarget.js';
import { KP, type Pose, type RasterImage } from './types.js';

/**
 * A frame counts as "person seen" when both shoulders are confident and either both hips (a whole
 * body) or an elbow (a half-body presenter whose hips are out of frame); a face close-up shows neither.
 */
const SEEN_CONF = 0.3;
const MIN_PERSON_SHARE = 0.5;

export interface MotionInput {
  videoPath: string;
  width: number;
  height: number;
  fps: number;
  durationS: number;
}

export interface Motion {
  raw: PoseTrack;
  smooth: PoseTrack;
  driving: DrivingTrack;
  frameCount: number;
  personShare: number;
}

/** The frames as images, each also kept as half-size luma in `greys` for the torso's registration. */
async function* asRaster(frames: AsyncIterable<Uint8Array>, width: number, height: number, greys: GreyImage[]): AsyncIterable<RasterImage> {
  for await (const data of frames) {
    const image: RasterImage = { width, height, channels: 3, data };
    greys.push(greyHalf(image));
    yield image;
  }
}

export function personShare(track: PoseTrack): number {
  if (track.poses.length === 0) return 0;
  let seen = 0;
  const ok = (p: Pose, k: number) => p[k].score >= SEEN_CONF;
  for (const p of track.poses) {
    if (!ok(p, KP.left_shoulder) || !ok(p, KP.right_shoulder)) continue;
    if ((ok(p, KP.left_hip) && ok(p, KP.right_hip)) || ok(p, KP.left_elbow) || ok(p, KP.right_elbow)) seen++;
  }
  return seen / track.poses.length;
}

/** Pose analysis runs at ≥ 15 fps: every `stride`-th output frame, the rest interpolated. */
export const MIN_ANALYSIS_FPS = 15;

/** BlazePose landmarks (z for the depth order) at about this rate; z changes slowly and is interpolated. */
export const LANDMARK_FPS = 5;

export function analysisStride(fps: number): number {
  // The small slack lets NTSC rates (29.97) count as 30.
  return Math.max(1, Math.floor(fps / MIN_ANALYSIS_FPS + 0.01));
}

/** Output frames for a clip: the decoder's count on the output grid. */
export function outputFrameCount(durationS: number, fps: number, analysed: number, stride: number): number {
  if (stride === 1) return analysed;
  return Math.max((analysed - 1) * stride + 1, Math.round(durationS * fps));
}

/**
 * Poses on the output grid from poses taken every `stride` frames: linear in position and score
 * between the two nearest analysed frames (frame i sits at analysed index i / stride).
 */
export function upsampleTrack(track: PoseTrack, stride: number, frames: number, fps: number): PoseTrack {
  if (stride === 1 && frames === track.poses.length) return { ...track, fps };
  const last = track.poses.length - 1;
  const poses: Pose[] = [];
  for (let i = 0; i < frames; i++) {
    const pos = Math.min(last, i / stride);
    const a = Math.floor(pos);
    const b = Math.min(last, a + 1);
    const f = pos - a;
    const pa = track.poses[a];
    const pb = track.poses[b];
    poses.push(pa.map((k, j) => ({
      x: k.x + (pb[j].x - k.x) * f, y: k.y + (pb[j].y - k.y) * f, score: k.score + (pb[j].score - k.score) * f,
    })));
  }
  return { width: track.width, height: track.height, fps, poses };
}

/**
 * The driving track on the output grid (`frameCount` frames at `fps`) from poses (and landmarks)
 * analysed every `stride`-th output frame: smoothed, as rig joints, with facing and per-joint depth.
 */
export function drivingTrackFrom(sampled: PoseTrack, stride: number, frameCount: number, fps: number, greys: readonly GreyImage[] = []):
  { raw: PoseTrack; smooth: PoseTrack; driving: DrivingTrack } {
  const raw = upsampleTrack(sampled, stride, frameCount, fps);
  const smooth = upsampleTrack(stabiliseTrack(smoothTrack(sampled), greys), stride, frameCount, fps);
  const joints = smooth.poses.map((p) => jointsFromCoco(p));
  const depths = sampled.landmarks ? depthSeries(sampled.landmarks, sampled.poses) : null;
  const driving: DrivingTrack = {
    width: smooth.width, height: smooth.height, fps: smooth.fps,
    joints: joints.map((j) => j.joints),
    confidence: joints.map((j) => j.confidence),
    facingAway: raw.poses.map((p) => isFacingAway(p)),
    headRoll: smooth.poses.map((p) => headRoll(p)),
    faceCentre: smooth.poses.map((p) => faceCentre(p)),
    ...(depths ? { depth: upsampleDepths(depths, stride, frameCount) } : {}),
  };
  return { raw, smooth, driving };
}

export async function extractMotion(
  input: MotionInput, pool: PoseWorkerPool, onFrame: (i: number) => void, signal?: AbortSignal,
): Promise<Motion> {
  const stride = analysisStride(input.fps);
  const analysisFps = input.fps / stride;
  // Every stride-th frame of the output grid, so analysed frame i is output frame i·stride exactly.
  const frames = readVideoFrames({ input: input.videoPath, width: input.width, height: input.height, fps: input.fps, everyNth: stride, signal });
  const greys: GreyImage[] = [];
  const sampled = await trackVideoPoses(asRaster(frames, input.width, input.height, greys), pool, {
    fps: analysisFps, onFrame: (i) => onFrame(i * stride), signal,
    landmarkEvery: Math.max(1, Math.round(analysisFps / LANDMARK_FPS)),
  });
  const share = personShare(sampled);
  if (sampled.poses.length === 0 || share < MIN_PERSON_SHARE) {
    throw new AppError('VIDEO_NO_PERSON_DETECTED',
      `a person (shoulders with hips or arms) was seen in ${Math.round(share * 100)}% of the ${sampled.poses.length} video frames analysed; at least ${MIN_PERSON_SHARE * 100}% is needed. Use a video of one person whose body is visible, not a face close-up or a rendered skeleton`,
      { field: 'video', limit: MIN_PERSON_SHARE, actual: Number(share.toFixed(2)) });
  }
  const frameCount = outputFrameCount(input.durationS, input.fps, sampled.poses.length, stride);
  const { raw, smooth, driving } = drivingTrackFrom(sampled, stride, frameCount, input.fps, greys);
  return { raw, smooth, driving, frameCount, personShare: share };
}
