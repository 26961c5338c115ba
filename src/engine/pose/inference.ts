/** Model runs on one thread: MoveNet on a crop, selfie segmentation on a whole image. */
import type { GraphModel } from '@tensorflow/tfjs-converter';
import type { Tensor } from '@tensorflow/tfjs-core';
import { initTf, loadModel } from '../models/index.js';
import type { Pose, RasterImage, SoftMask } from '../types.js';
import { poseFromCropOutput, type CropRect } from './crop.js';
import type { MoveNetModel } from './protocol.js';
import { sampleRgb } from './resample.js';
import { SELFIE_SIZE, selfieInput, selfieMask } from '../segment/selfie.js';

type Tf = Awaited<ReturnType<typeof initTf>>;

const MOVENET_SIZE: Record<MoveNetModel, number> = { lightning: 192, thunder: 256 };

export interface PoseModels {
  detect(frame: RasterImage, crop: CropRect, model: MoveNetModel): Pose;
  segment(image: RasterImage): SoftMask;
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
  return {
    detect(frame, crop, which) {
      const size = MOVENET_SIZE[which];
      const buf = new Int32Array(size * size * 3);
      sampleRgb(frame, crop, size, size, buf);
      const input = tf.tensor4d(buf, [1, size, size, 3], 'int32');
      try {
        return poseFromCropOutput(runOne(tf, movenet[which], input), crop);
      } finally {
        input.dispose();
      }
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
