/**
 * Which crop the next frame gets, from what the tracker knows so far (pure). The crop follows the
 * newest pose the tracker was given; when the torso is lost it first looks wider around where the person was
 * (so the same person is picked up again), and only after a while over the whole frame.
 */
import type { Pose } from '../types.js';
import { cropFromPose, expandCrop, wholeFrameCrop, type CropRect } from './crop.js';

/** How long (seconds) to keep searching near the last place the person was seen. */
const SEARCH_NEAR_S = 1;
const SEARCH_EXPAND = 1.6;

export interface FollowState {
  width: number;
  height: number;
  fps: number;
  /** Newest frame index whose pose is known, and that pose. */
  newestIndex: number;
  newestPose: Pose | null;
  /** Last frame where the torso was seen, and the crop it gave. */
  lastSeenIndex: number;
  lastSeenCrop: CropRect | null;
}

export function initialFollowState(width: number, height: number, fps: number): FollowState {
  return { width, height, fps, newestIndex: -1, newestPose: null, lastSeenIndex: -1, lastSeenCrop: null };
}

/** Records a finished frame's pose (frames may finish out of order; older ones are ignored). */
export function observe(state: FollowState, index: number, pose: Pose): FollowState {
  if (index <= state.newestIndex) return state;
  const crop = cropFromPose(pose, state.width, state.height);
  return {
    ...state,
    newestIndex: index,
    newestPose: pose,
    lastSeenIndex: crop ? index : state.lastSeenIndex,
    lastSeenCrop: crop ?? state.lastSeenCrop,
  };
}

export interface CropChoice {
  crop: CropRect;
  /** True when the crop is a wide search (the result should be refined on its own crop). */
  searching: boolean;
}

export function nextCrop(state: FollowState, frameIndex: number): CropChoice {
  const { width, height } = state;
  if (state.newestPose && state.lastSeenIndex === state.newestIndex && state.lastSeenCrop) {
    return { crop: state.lastSeenCrop, searching: false };
  }
  if (state.lastSeenCrop && frameIndex - state.lastSeenIndex <= SEARCH_NEAR_S * state.fps) {
    return { crop: expandCrop(state.lastSeenCrop, SEARCH_EXPAND, width, height), searching: true };
  }
  return { crop: wholeFrameCrop(width, height), searching: true };
}
