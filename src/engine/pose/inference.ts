/** Model runs on one thread: MoveNet on a crop (optionally BlazePose landmarks after it), selfie segmentation on a whole image. */
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { Tensor } from '@tensorflow/tfjs-core';
import { initTf, loadModel } from '../models/index.js';
import type { Pose, RasterImage, SoftMask } from '../types.js';
import { poseFromCropOutput, type CropRect } from './crop.js';
import { BLAZEPOSE_SIZE, blazeCropFromPose, landmarksFromCropOutput, type Landmarks } from './blazepose.js';
import type { MoveNetModel } from './protocol.js';
import { sampleRgb } from './resample.js';
import { SELFIE_SIZE, selfieInput, selfieMask } from '../segment/selfie.js';

type Tf = Awaited<ReturnType<typeof initTf>>;

const MOVENET_SIZE: Record<MoveNetModel, number> = { lightning: 192, thunder: 256 };

export interface PoseModels {
  detect(frame: RasterImage, crop: CropRect, model: MoveNetModel): Pose;
  /** MoveNet on `crop`, then BlazePose on a crop placed from that pose (null when it sees no body). */
  detectWithLandmarks(frame: RasterImage, crop: CropRect, model: MoveNetModel): { pose: Pose; landmarks: Landmarks | null };
  segment(image: RasterImage): SoftMask;
}

/** The landmark model that gives the depth order: lite is as good for z ordering at half full's cost. */
const LANDMARK_MODEL = 'blazepose-lite';
/** BlazePose's pose flag below this: no body in the crop. */
const MIN_POSE_FLAG = 0.5;
/** Values in BlazePose's `ld_3d` output: 39 landmarks (33 and 6 auxiliary) × 5. */
const LD_3D_SIZE = 39 * 5;

/**
 * BlazePose's outputs are named Identity*, so the landmark and pose-flag outputs are found by size from
 * one blank run; executing only those two skips the heatmap and segmentation heads (half the call's time).
 */
function landmarkOutputNames(tf: Tf, model: GraphModel): [string, string] {
  const input = tf.zeros([1, BLAZEPOSE_SIZE, BLAZEPOSE_SIZE, 3], 'float32');
  const out = model.execute(input);
  try {
    const outs = Array.isArray(out) ? out : [out as Tensor];
    const names = model.outputNodes;
    const ld = outs.findIndex((t) => t.size === LD_3D_SIZE);
    const flag = outs.findIndex((t) => t.size === 1);
    if (ld < 0 || flag < 0 || names.length !== outs.length) throw new Error(`${LANDMARK_MODEL} gave no landmark output`);
    return [names[ld], names[flag]];
  } finally {
    input.dispose();
    tf.dispose(out);
  }
}

function runOne(tf: Tf, model: GraphModel, input: Tensor): Float32Array {
  const out = model.execute(input);
  const t = Array.isArray(out) ? out[0] : (out as Tensor);
  try {
    return t.dataSync() as Float32Array;
  } finally {
    tf.dispose(out);
  }
}

export async function loadPoseModels(): Promise<PoseModels> {
  const tf = await initTf();
  const movenet: Record<MoveNetModel, GraphModel> = {
    lightning: await loadModel('movenet-lightning'),
    thunder: await loadModel('movenet-thunder'),
  };
  const selfie = await loadModel('selfie');
  const blazepose = await loadModel(LANDMARK_MODEL);
  const blazeOutputs = landmarkOutputNames(tf, blazepose);
  const detect = (frame: RasterImage, crop: CropRect, which: MoveNetModel): Pose => {
    const size = MOVENET_SIZE[which];
    const buf = new Int32Array(size * size * 3);
    sampleRgb(frame, crop, size, size, buf);
    const input = tf.tensor4d(buf, [1, size, size, 3], 'int32');
    try {
      return poseFromCropOutput(runOne(tf, movenet[which], input), crop);
    } finally {
      input.dispose();
    }
  };
  const landmarks = (frame: RasterImage, crop: CropRect): Landmarks | null => {
    const buf = new Float32Array(BLAZEPOSE_SIZE * BLAZEPOSE_SIZE * 3);
    sampleRgb(frame, crop, BLAZEPOSE_SIZE, BLAZEPOSE_SIZE, buf, 1 / 255);
    const input = tf.tensor4d(buf, [1, BLAZEPOSE_SIZE, BLAZEPOSE_SIZE, 3], 'float32');
    const out = blazepose.execute(input, blazeOutputs) as Tensor[];
    try {
      const [ld, flag] = out;
      if ((flag.dataSync() as Float32Array)[0] < MIN_POSE_FLAG) return null;
      return landmarksFromCropOutput(ld.dataSync() as Float32Array, crop);
    } finally {
      input.dispose();
      tf.dispose(out);
    }
  };
  return {
    detect,
    detectWithLandmarks(frame, crop, which) {
      const pose = detect(frame, crop, which);
      const blazeCrop = blazeCropFromPose(pose);
      return { pose, landmarks: blazeCrop ? landmarks(frame, blazeCrop) : null };
    },
    segment(image) {
      const input = tf.tensor4d(selfieInput(image), [1, SELFIE_SIZE, SELFIE_SIZE, 3], 'float32');
      try {
        return selfieMask(runOne(tf, selfie, input), image.width, image.height);
      } finally {
        input.dispose();
      }
    },
  };
}
