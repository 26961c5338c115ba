/**
 * Motion extraction: decode the driving video on the output's frame grid, follow one person,
 * smooth offline (zero phase), and turn COCO keypoints into the rig's joints.
 */
import { AppError } from '../api/errors.js';
import { readVideoFrames } from '../media/video-reader.js';
import type { PoseWorkerPool } from './pose/pool.js';
import { trackVideoPoses, type PoseTrack } from './pose/track.js';
import { smoothTrack } from './pose/smooth.js';
import { isFacingAway } from './pose/facing.js';
import { jointsFromCoco } from './rig/skeleton.js';
import type { DrivingTrack } from './retarget/retarget.js';
import type { RasterImage } from './types.js';

/** A frame counts as "person seen" when the torso (both shoulders and both hips) is confident. */
const TORSO_CONF = 0.3;
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

async function* asRaster(frames: AsyncIterable<Uint8Array>, width: number, height: number): AsyncIterable<RasterImage> {
  for await (const data of frames) yield { width, height, channels: 3, data };
}

export function personShare(track: PoseTrack): number {
  if (track.poses.length === 0) return 0;
  let seen = 0;
  for (const p of track.poses) {
    if ([5, 6, 11, 12].every((k) => p[k].score >= TORSO_CONF)) seen++;
  }
  return seen / track.poses.length;
}

export async function extractMotion(
  input: MotionInput, pool: PoseWorkerPool, onFrame: (i: number) => void, signal?: AbortSignal,
): Promise<Motion> {
  const frames = readVideoFrames({ input: input.videoPath, width: input.width, height: input.height, fps: input.fps, signal });
  const raw = await trackVideoPoses(asRaster(frames, input.width, input.height), pool, { fps: input.fps, onFrame, signal });
  const share = personShare(raw);
  if (raw.poses.length === 0 || share < MIN_PERSON_SHARE) {
    throw new AppError('VIDEO_NO_PERSON_DETECTED',
      `a full person (shoulders and hips) was seen in ${Math.round(share * 100)}% of the video's ${raw.poses.length} frames; at least ${MIN_PERSON_SHARE * 100}% is needed. Use a video of one person whose body is visible, not a face close-up or a rendered skeleton`,
      { field: 'video', limit: MIN_PERSON_SHARE, actual: Number(share.toFixed(2)) });
  }
  const smooth = smoothTrack(raw);
  const joints = smooth.poses.map((p) => jointsFromCoco(p));
  const driving: DrivingTrack = {
    width: smooth.width, height: smooth.height, fps: smooth.fps,
    joints: joints.map((j) => j.joints),
    confidence: joints.map((j) => j.confidence),
    facingAway: raw.poses.map((p) => isFacingAway(p)),
  };
  return { raw, smooth, driving, frameCount: raw.poses.length, personShare: share };
}
