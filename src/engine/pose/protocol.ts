/** Messages between the pose pool (main thread) and its worker threads. */
import type { Pose, RasterImage, SoftMask } from '../types.js';
import type { CropRect } from './crop.js';
import type { Landmarks } from './blazepose.js';

export type MoveNetModel = 'lightning' | 'thunder';

export type WorkerRequest =
  | { id: number; kind: 'detect'; frame: RasterImage; crop: CropRect; model: MoveNetModel }
  | { id: number; kind: 'detect-landmarks'; frame: RasterImage; crop: CropRect; model: MoveNetModel }
  | { id: number; kind: 'segment'; image: RasterImage };

export type WorkerReply =
  | { kind: 'ready' }
  | { kind: 'init-error'; message: string }
  | { kind: 'crashed'; message: string }
  | { id: number; kind: 'pose'; pose: Pose }
  | { id: number; kind: 'pose-landmarks'; pose: Pose; landmarks: Landmarks | null }
  | { id: number; kind: 'mask'; mask: SoftMask }
  | { id: number; kind: 'error'; message: string };
