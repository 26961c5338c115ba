/**
 * Follows one person through a video: frames are read in order and kept only while in flight
 * (one per worker thread, at least 2); each frame's crop comes from the pose that many frames earlier.
 */
import type { Pose, RasterImage } from '../types.js';
import { cropFromPose, type CropRect } from './crop.js';
import { initialFollowState, nextCrop, observe, type FollowState } from './follow.js';
import type { PoseWorkerPool } from './pool.js';
import type { Landmarks } from './blazepose.js';

/**
 * One Pose per frame, in frame pixels; with `landmarkEvery`, BlazePose landmarks (with z) on every
 * that-many-th frame (null on the others and where BlazePose saw no body).
 */
export interface PoseTrack { width: number; height: number; fps: number; poses: Pose[]; landmarks?: (Landmarks | null)[] }

export interface TrackOptions {
  fps: number;
  /** Called with each frame index once it and all frames before it are done (monotonic). */
  onFrame?: (i: number) => void;
  signal?: AbortSignal;
  /** Run BlazePose landmarks (z for the depth order) on frames 0, n, 2n, ...; off when unset. */
  landmarkEvery?: number;
}

interface FrameResult { pose: Pose; landmarks: Landmarks | null }

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('pose tracking aborted');
}

/**
 * Detects on `choice.crop`; a wide search whose result shows a torso is refined by a second pass on
 * the crop that result gives (the first pass sees the person small).
 */
async function detectFrame(
  pool: PoseWorkerPool, frame: RasterImage, state: FollowState, index: number, withLandmarks: boolean,
): Promise<FrameResult> {
  const choice = nextCrop(state, index);
  const run = (crop: CropRect): Promise<FrameResult> => (withLandmarks
    ? pool.detectWithLandmarks(frame, crop, 'lightning')
    : pool.detect(frame, crop, 'lightning').then((pose) => ({ pose, landmarks: null })));
  if (!choice.searching) return run(choice.crop);
  const first = await pool.detect(frame, choice.crop, 'lightning');
  const refined = cropFromPose(first, frame.width, frame.height);
  if (refined) return run(refined);
  return withLandmarks ? run(choice.crop) : { pose: first, landmarks: null };
}

export async function trackVideoPoses(
  frames: AsyncIterable<RasterImage>, pool: PoseWorkerPool, o: TrackOptions,
): Promise<PoseTrack> {
  // Frame i is cropped from what frames up to i − maxInFlight showed: a shorter lag follows fast
  // motion better (juggle1: limb error 11.9° at 2, 13.1° at 3, 14.3° at 4), one frame per thread keeps them busy.
  const maxInFlight = Math.max(2, pool.threads);
  const poses: Pose[] = [];
  const landmarks: (Landmarks | null)[] = [];
  const every = o.landmarkEvery !== undefined && o.landmarkEvery > 0 ? Math.round(o.landmarkEvery) : 0;
  const inFlight = new Set<Promise<void>>();
  // What the tracker knew after frames 0..p−1, by p: frame i's crop comes from a fixed earlier
  // frame, never from whichever happened to finish first, so the track is the same on every run.
  const stateAfter = new Map<number, FollowState>();
  let observed = 0;
  let width = 0;
  let height = 0;
  let failure: Error | null = null;

  const observeInOrder = () => {
    while (observed < poses.length && poses[observed] !== undefined) {
      const i = observed++; // outside the optional call: `f?.(x++)` skips the increment when f is unset
      stateAfter.set(observed, observe(stateAfter.get(i)!, i, poses[i]));
      stateAfter.delete(i - maxInFlight);
      o.onFrame?.(i);
    }
  };

  let index = 0;
  for await (const frame of frames) {
    if (o.signal?.aborted) throw abortError(o.signal);
    if (failure) throw failure;
    if (index === 0) {
      width = frame.width;
      height = frame.height;
      stateAfter.set(0, initialFollowState(width, height, o.fps));
    } else if (frame.width !== width || frame.height !== height) {
      throw new Error(`frame ${index} is ${frame.width}x${frame.height}, the first was ${width}x${height}`);
    }
    const i = index++;
    // Frame 0 alone (the search for the person), then up to maxInFlight frames at a time, frame i
    // cropped from what frames up to i − maxInFlight showed.
    const known = i === 0 ? 0 : Math.max(1, i - maxInFlight + 1);
    while (observed < known && !failure) await Promise.race(inFlight);
    if (failure) throw failure;
    const job = detectFrame(pool, frame, stateAfter.get(known)!, i, every > 0 && i % every === 0).then(
      ({ pose, landmarks: lm }) => {
        poses[i] = pose;
        landmarks[i] = lm;
        observeInOrder();
      },
      (err: unknown) => {
        failure ??= err instanceof Error ? err : new Error(String(err));
      },
    );
    inFlight.add(job);
    void job.finally(() => inFlight.delete(job));
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  if (o.signal?.aborted) throw abortError(o.signal);
  return { width, height, fps: o.fps, poses, ...(every > 0 ? { landmarks } : {}) };
}
