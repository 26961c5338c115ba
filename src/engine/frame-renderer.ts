/** Composes one output frame: the clean plate (the picture again beside parts that stay put), then the deformed character drawn over it. */
import type { Character } from './character.js';
import type { RetargetPlan } from './retarget/retarget.js';
import { boneTransforms, deformRig } from './rig/index.js';
import { drawRig, resizeRgb, rgbOf, type RgbCanvas } from './render/index.js';
import { canvasPlacement } from './render/raster.js';
import { applyStillRing, buildStillRing, type PlateWindow, type StillRing } from './render/still-ring.js';
import { plateHoleOf } from './segment/extent.js';
import type { RasterImage } from './types.js';
import type { CharacterOrientation } from '../domain/orientation.js';

/** Crops `img` to the rectangle (x0, y0, w, h), already clamped to the image. */
function crop(img: RasterImage, r: { x0: number; y0: number; cw: number; ch: number }): RasterImage {
  const { x0, y0, cw, ch } = r;
  const c = img.channels;
  const out = new Uint8Array(cw * ch * c);
  for (let row = 0; row < ch; row++) {
    const src = ((y0 + row) * img.width + x0) * c;
    out.set(img.data.subarray(src, src + cw * c), row * cw * c);
  }
  return { width: cw, height: ch, channels: img.channels, data: out };
}

/** How the picture (and its plate) fills the canvas: every frame's background, computed once so it never flickers. */
export interface PlateLayout {
  orientation: CharacterOrientation; width: number; height: number;
  /** Video orientation: the cover that scales the picture over the video-shaped canvas. */
  cover: { scale: number; dx: number; dy: number } | null;
}

/** The picture's rectangle the canvas shows (video: the cover's crop, clamped; image: all of it). */
function shownRect(imgW: number, imgH: number, l: PlateLayout): { x0: number; y0: number; cw: number; ch: number } {
  if (l.orientation !== 'video' || !l.cover) return { x0: 0, y0: 0, cw: imgW, ch: imgH };
  const { scale, dx, dy } = l.cover;
  const x0 = Math.max(0, Math.floor(-dx / scale));
  const y0 = Math.max(0, Math.floor(-dy / scale));
  return { x0, y0, cw: Math.min(imgW - x0, Math.round(l.width / scale)), ch: Math.min(imgH - y0, Math.round(l.height / scale)) };
}

/** Where the picture's pixels land on the canvas. */
export function plateWindow(imgW: number, imgH: number, l: PlateLayout): PlateWindow {
  const r = shownRect(imgW, imgH, l);
  return { x0: r.x0, y0: r.y0, kx: l.width / r.cw, ky: l.height / r.ch };
}

/** The clean plate scaled to the canvas (image orientation), or scaled to cover the video-shaped canvas, cropped. */
export function preparePlate(plate: RasterImage, l: PlateLayout): Uint8Array {
  const r = shownRect(plate.width, plate.height, l);
  const src = r.x0 === 0 && r.y0 === 0 && r.cw === plate.width && r.ch === plate.height ? plate : crop(plate, r);
  return resizeRgb(src, l.width, l.height).data;
}

/**
 * The rim round the character that shows the picture while the part beside it stays put
 * (render/still-ring.ts): where the plate filled the base rim round the mask (not the clutter it
 * removed farther out) and the character's own alpha is under a half.
 */
export function prepareStillRing(
  character: Pick<Character, 'image' | 'mask' | 'plateHole' | 'texture' | 'rig'>, plate: Uint8Array, l: PlateLayout,
): StillRing {
  const { image, texture, rig } = character;
  const iw = image.width; const ih = image.height;
  const base = plateHoleOf(character.mask);
  const alphaScale = texture.data instanceof Float32Array ? 1 : 1 / 255;
  const win = plateWindow(iw, ih, l);
  const rim = new Uint8Array(l.width * l.height);
  for (let y = 0; y < l.height; y++) {
    const iy = Math.min(ih - 1, Math.max(0, Math.round((y + 0.5) / win.ky + win.y0 - 0.5)));
    for (let x = 0; x < l.width; x++) {
      const ix = Math.min(iw - 1, Math.max(0, Math.round((x + 0.5) / win.kx + win.x0 - 0.5)));
      const q = iy * iw + ix;
      rim[y * l.width + x] = base.data[q] && character.plateHole.data[q] && texture.data[4 * q + 3] * alphaScale < 0.5 ? 1 : 0;
    }
  }
  const seeds = new Uint8Array(rig.rest.length / 2);
  for (let tri = 0; tri < rig.copyKind.length; tri++) {
    if (rig.copyKind[tri] !== -1) continue;
    for (let k = 0; k < 3; k++) seeds[rig.triangles[3 * tri + k]] = 1;
  }
  return buildStillRing({
    width: l.width, height: l.height, picture: preparePlate(rgbOf(image), l), plate, rim, rest: rig.rest, seeds, window: win,
  });
}

export function renderFrame(
  character: Pick<Character, 'rig' | 'texture' | 'hiddenTexture'>, plan: RetargetPlan, t: number, plate: Uint8Array, posed: Float32Array,
  stillRing: StillRing | null = null,
): Uint8Array {
  const { canvasWidth: width, canvasHeight: height, transform } = plan;
  const frame = plan.frames[Math.min(t, plan.frames.length - 1)];
  const data = new Uint8Array(plate.length);
  data.set(plate);
  const canvas: RgbCanvas = { width, height, data };
  const placement = { scale: transform.scale, dx: transform.dx, dy: transform.dy, mirror: frame.mirror };
  deformRig(character.rig, boneTransforms(character.rig.restJoints, frame.joints, { headTwist: frame.headTwist }), posed);
  if (stillRing) {
    const place = canvasPlacement(placement, width);
    applyStillRing(data, stillRing, (v) => [place.x(posed[2 * v]), place.y(posed[2 * v + 1])]);
  }
  drawRig(canvas, character.texture, character.rig, posed, {
    order: frame.order, transform: placement, hiddenTexture: character.hiddenTexture ?? undefined,
  });
  return data;
}
