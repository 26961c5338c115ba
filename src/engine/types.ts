/** Shared engine types. Coordinates are pixels in the frame they were measured in, y down. */

import type { CharacterOrientation } from '../domain/orientation.js';

/** COCO-17 keypoint order, as MoveNet emits it. */
export const COCO_KEYPOINTS = [
  'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
  'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist',
  'left_hip', 'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle',
] as const;
export type CocoKeypointName = (typeof COCO_KEYPOINTS)[number];
export const KP = Object.fromEntries(COCO_KEYPOINTS.map((n, i) => [n, i])) as Record<CocoKeypointName, number>;

export interface Keypoint {
  x: number;
  y: number;
  /** 0..1 confidence; 0 for a point that was not seen (and was not interpolated). */
  score: number;
}

/** 17 COCO keypoints in the order of COCO_KEYPOINTS. */
export type Pose = Keypoint[];

/** An RGB or RGBA image held in memory, row-major, 8 bits per channel. */
export interface RasterImage {
  width: number;
  height: number;
  channels: 3 | 4;
  data: Uint8Array;
}

/** A soft mask, one float 0..1 per pixel, row-major. */
export interface SoftMask {
  width: number;
  height: number;
  data: Float32Array;
}

/** The stages a task goes through, in order; progress is reported per stage. */
export const ENGINE_STAGES = ['probe', 'character', 'motion', 'retarget', 'render'] as const;
export type EngineStage = (typeof ENGINE_STAGES)[number];

export interface EngineProgress {
  stage: EngineStage;
  /** Overall completion 0..1, monotonic. */
  fraction: number;
  /** Seconds until done, estimated from measured throughput; undefined while unknown. */
  etaSeconds?: number;
}

export interface AnimateRequest {
  imagePath: string;
  videoPath: string;
  outputPath: string;
  orientation: CharacterOrientation;
  keepOriginalSound: boolean;
  /** Carried for generative engines; the CPU engine does not use text. */
  prompt?: string;
  negativePrompt?: string;
  /** When set, the engine writes per-stage debug artefacts here. */
  debugDir?: string;
}

export interface AnimateResult {
  outputPath: string;
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  durationS: number;
  hasAudio: boolean;
  /** Wall seconds spent per stage. */
  timings: Partial<Record<EngineStage | 'encode' | 'total', number>>;
  /**
   * CPU seconds per stage, for benchmarks: `character` is its analysis thread alone, `motion` the
   * rest of this process over the same span (pose workers included), `decode` and `encode` ffmpeg.
   */
  cpu?: Partial<Record<EngineStage | 'decode' | 'encode' | 'total', number>>;
}

/**
 * What the task worker calls. The CPU engine implements it; a GPU generative engine will too.
 * Implementations reject with an AppError for input problems (e.g. IMAGE_NO_PERSON_DETECTED).
 */
export interface MotionEngine {
  animate(req: AnimateRequest, onProgress: (p: EngineProgress) => void, signal?: AbortSignal): Promise<AnimateResult>;
  /** Loads models once; resolves when the engine can take work. */
  ready(): Promise<void>;
  close(): Promise<void>;
}
