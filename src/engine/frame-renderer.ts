/** Composes one output frame: the clean plate, then the deformed character drawn over it. */
import type { Character } from './character.js';
import type { RetargetPlan } from './retarget/retarget.js';
import { boneTransforms, deformRig } from './rig/index.js';
import { drawRig, resizeRgb, type RgbCanvas } from './render/index.js';
import type { RasterImage } from './types.js';
import type { CharacterOrientation } from '../domain/orientation.js';

/** Crops `img` to the rectangle (x, y, w, h), clamped to the image. */
function crop(img: RasterImage, x: number, y: number, w: number, h: number): RasterImage {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const cw = Math.min(img.width - x0, Math.round(w));
  const ch = Math.min(img.height - y0, Math.round(h));
  const c = img.channels;
  const out = new Uint8Array(cw * ch * c);
  for (let row = 0; row < ch; row++) {
    const src = ((y0 + row) * img.width + x0) * c;
    out.set(img.data.subarray(src, src + cw * c), row * cw * c);
  }
  return { width: cw, height: ch, channels: img.channels, data: out };
}

/**
 * The background of every frame, computed once (so it never flickers): the clean plate scaled to
 * the canvas (image orientation), or scaled to cover the video-shaped canvas, centred (video).
 */
export function preparePlate(
  plate: RasterImage, orientation: CharacterOrientation, width: number, height: number,
  cover: { scale: number; dx: number; dy: number } | null,
): Uint8Array {
  let src = plate;
  if (orientation === 'video' && cover) {
    src = crop(plate, -cover.dx / cover.scale, -cover.dy / cover.scale, width / cover.scale, height / cover.scale);
  }
  return resizeRgb(src, width, height).data;
}

export function renderFrame(
  character: Pick<Character, 'rig' | 'texture' | 'hiddenTexture'>, plan: RetargetPlan, t: number, plate: Uint8Array, posed: Float32Array,
): Uint8Array {
  const { canvasWidth: width, canvasHeight: height, transform } = plan;
  const frame = plan.frames[Math.min(t, plan.frames.length - 1)];
  const data = new Uint8Array(plate.length);
  data.set(plate);
  const canvas: RgbCanvas = { width, height, data };
  const placement = { scale: transform.scale, dx: transform.dx, dy: transform.dy, mirror: frame.mirror };
  deformRig(character.rig, boneTransforms(character.rig.restJoints, frame.joints), posed);
  drawRig(canvas, character.texture, character.rig, posed, {
    order: frame.order, transform: placement, hiddenTexture: character.hiddenTexture ?? undefined,
  });
  return data;
}
