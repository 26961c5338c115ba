/**
 * MediaPipe selfie segmentation (general, 256×256): the whole image stretched to the model's square
 * input as floats 0..1, and its probability map brought back to the image's size (pure; the model
 * runs in the pose workers).
 */
import { resizeFloatMap, sampleRgb } from '../pose/resample.js';
import type { RasterImage, SoftMask } from '../types.js';

export const SELFIE_SIZE = 256;

/** Model input: RGB 0..1, SELFIE_SIZE², area-averaged from the whole image (RGBA over white). */
export function selfieInput(image: RasterImage): Float32Array {
  const buf = new Float32Array(SELFIE_SIZE * SELFIE_SIZE * 3);
  sampleRgb(image, { x: 0, y: 0, width: image.width, height: image.height }, SELFIE_SIZE, SELFIE_SIZE, buf, 1 / 255);
  return buf;
}

/** The model's SELFIE_SIZE² probability map as a soft mask at width×height, clamped to 0..1. */
export function selfieMask(prob: Float32Array, width: number, height: number): SoftMask {
  if (prob.length !== SELFIE_SIZE * SELFIE_SIZE) {
    throw new Error(`selfie output has ${prob.length} values, expected ${SELFIE_SIZE}x${SELFIE_SIZE}`);
  }
  const data = resizeFloatMap(prob, SELFIE_SIZE, SELFIE_SIZE, width, height);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(1, Math.max(0, data[i]));
  return { width, height, data };
}
