/** Composes one output frame: the clean plate (the picture again beside parts that stay put), then the deformed character drawn over it. */
import type { Character } from './character.js';
import type { RenderTransform, RetargetPlan } from './retarget/retarget.js';
import type { PartGroup } from './rig/skeleton.js';
import { boneTransforms, deformRig } from './rig/index.js';
import { drawRig, resizeRgb, rgbOf, type RgbCanvas } from './render/index.js';
import { canvasPlacement } from './render/raster.js';
import { applyStillRing, buildStillRing, type PlateWindow, type StillRing } from './render/still-ring.js';
import { plateHoleOf } from './segment/extent.js';
import { fillHoles, type BinaryMask } from './segment/mask.js';
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
 * Background the hole encloses (between the legs, between an arm and the body): 1 where a pixel is
 * outside `hole` but cannot reach the picture's border without crossing it (what fillHoles fills).
 * The plate fills such gaps with the hole (up to a size), and beside parts at rest the picture has them.
 */
export function enclosedGaps(hole: BinaryMask): Uint8Array {
  const filled = fillHoles(hole).data;
  return filled.map((v, p) => (v && !hole.data[p] ? 1 : 0));
}

/** How the character is drawn where it stands in the picture (the plan's transform, and a layer order). */
export interface RestDraw { transform: RenderTransform; order: PartGroup[] }

/** Character alpha on the canvas (drawn at rest) below which the rim's background is solved for; above it the plate hardly shows. */
const UNMIX_MAX_ALPHA = 0.9;

/**
 * The background behind the character's soft edge, on the canvas: the character is drawn at rest
 * over black and over white, which gives, per pixel, exactly what the rasteriser lays over a
 * background (its premultiplied colour C and its coverage a); the picture I = C + (1 − a)·B then
 * gives B. Drawn over that B, a part at rest reproduces the picture's edge exactly, where the
 * plate's guess behind a soft edge (hair, a blurred arm, the outline's anti-aliasing) left a rim of
 * other colour round the whole figure. Where a is 0, B is the picture.
 */
function unmixAtRest(
  character: Pick<Character, 'rig' | 'texture' | 'hiddenTexture'>, picture: Uint8Array, l: PlateLayout, rest: RestDraw,
): { background: Uint8Array; alpha: Float32Array } {
  const n = l.width * l.height;
  const onBlack: RgbCanvas = { width: l.width, height: l.height, data: new Uint8Array(3 * n) };
  const onWhite: RgbCanvas = { width: l.width, height: l.height, data: new Uint8Array(3 * n).fill(255) };
  const o = { order: rest.order, transform: { ...rest.transform, mirror: false }, hiddenTexture: character.hiddenTexture ?? undefined };
  drawRig(onBlack, character.texture, character.rig, character.rig.rest, o);
  drawRig(onWhite, character.texture, character.rig, character.rig.rest, o);
  const background = Uint8Array.from(picture);
  const alpha = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    const d = 3 * p;
    const a = 1 - (onWhite.data[d] - onBlack.data[d] + onWhite.data[d + 1] - onBlack.data[d + 1] + onWhite.data[d + 2] - onBlack.data[d + 2]) / (3 * 255);
    alpha[p] = a;
    if (a <= 0.002 || a >= UNMIX_MAX_ALPHA) continue;
    for (let c = 0; c < 3; c++) background[d + c] = Math.min(255, Math.max(0, Math.round((picture[d + c] - onBlack.data[d + c]) / (1 - a))));
  }
  return { background, alpha };
}

/**
 * The rim round the character that shows the picture while the part beside it stays put
 * (render/still-ring.ts): where the plate filled the base rim round the mask or a gap it encloses (not
 * the clutter it removed farther out) and the character's own alpha is under a half. Given how the character is
 * drawn at rest, the rim reaches into its soft edge (alpha up to UNMIX_MAX_ALPHA on the canvas) and
 * holds the background solved behind it (unmixAtRest), so a part at rest shows its edge as the picture does.
 */
export function prepareStillRing(
  character: Pick<Character, 'image' | 'mask' | 'plateHole' | 'texture' | 'rig' | 'hiddenTexture'>, plate: Uint8Array, l: PlateLayout,
  rest?: RestDraw,
): StillRing {
  const { image, texture, rig } = character;
  const iw = image.width; const ih = image.height;
  const base = plateHoleOf(character.mask);
  const island = enclosedGaps(base);
  const alphaScale = texture.data instanceof Float32Array ? 1 : 1 / 255;
  const win = plateWindow(iw, ih, l);
  const picture = preparePlate(rgbOf(image), l);
  const unmixed = rest ? unmixAtRest(character, picture, l, rest) : null;
  const rim = new Uint8Array(l.width * l.height);
  for (let y = 0; y < l.height; y++) {
    const iy = Math.min(ih - 1, Math.max(0, Math.round((y + 0.5) / win.ky + win.y0 - 0.5)));
    for (let x = 0; x < l.width; x++) {
      const ix = Math.min(iw - 1, Math.max(0, Math.round((x + 0.5) / win.kx + win.x0 - 0.5)));
      const q = iy * iw + ix;
      const p = y * l.width + x;
      const under = unmixed ? unmixed.alpha[p] < UNMIX_MAX_ALPHA : texture.data[4 * q + 3] * alphaScale < 0.5;
      rim[p] = (base.data[q] || island[q]) && character.plateHole.data[q] && under ? 1 : 0;
    }
  }
  const seeds = new Uint8Array(rig.rest.length / 2);
  for (let tri = 0; tri < rig.copyKind.length; tri++) {
    if (rig.copyKind[tri] !== -1) continue;
    for (let k = 0; k < 3; k++) seeds[rig.triangles[3 * tri + k]] = 1;
  }
  return buildStillRing({
    width: l.width, height: l.height, picture: unmixed ? unmixed.background : picture, plate, rim, rest: rig.rest, seeds, window: win,
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
