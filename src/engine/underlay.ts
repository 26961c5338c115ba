/**
 * The body under the arms. Where an arm lay on the body in the picture (hands in pockets, arms at
 * the sides), the body's own pixels were never seen; when the arm moves away, the plate would show
 * through. The underlay fills the arms' pixels from the body's (inpainting that takes colour only
 * from trunk, legs and head) and draws them beneath everything, carried by the trunk as if the
 * arms had not moved.
 */
import { computeLabelGrid } from './rig/labels.js';
import { ARM_GROUPS, JOINT_INDEX as J, boneGroup, type JointPositions } from './rig/skeleton.js';
import type { BinaryMask } from './segment/index.js';
import { inpaint, makeCharacterTexture, type PremultipliedTexture } from './render/index.js';
import type { RasterImage, SoftMask } from './types.js';

const ARM_CHAINS: [number, number, number][] = [[J.l_shoulder, J.l_elbow, J.l_wrist], [J.r_shoulder, J.r_elbow, J.r_wrist]];

/** The arm pixels filled from the rest of the body; null when the character has no arm labels. */
export function buildUnderlayTexture(
  image: RasterImage, mask: BinaryMask, soft: SoftMask, rest: JointPositions, present: readonly boolean[],
): PremultipliedTexture | null {
  const grid = computeLabelGrid(mask, rest, present);
  const { width: w, height: h } = image;
  // Known = body pixels that are not arm; everything else (arms and background) is filled from them.
  const hole: BinaryMask = { width: w, height: h, data: new Uint8Array(w * h) };
  let arms = 0;
  let body = 0;
  for (let y = 0; y < h; y++) {
    const gy = Math.min(grid.h - 1, Math.floor(y / grid.f));
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!mask.data[i]) { hole.data[i] = 1; continue; }
      const label = grid.label[gy * grid.w + Math.min(grid.w - 1, Math.floor(x / grid.f))];
      const group = label > 0 ? boneGroup(label) : 'trunk';
      if (ARM_GROUPS.has(group)) { hole.data[i] = 1; arms++; } else body++;
    }
  }
  if (arms === 0 || body === 0) return null;
  // Only arm pixels lying over the body (between its left and right edges on the same row) are
  // body that was hidden; an arm held beside the body hid nothing but background.
  const alpha = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    let lo = w; let hi = -1;
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (mask.data[i] && !hole.data[i]) { if (x < lo) lo = x; hi = x; }
    }
    for (let x = lo; x <= hi; x++) alpha[y * w + x] = soft.data[y * w + x];
  }
  return makeCharacterTexture(inpaintWithin(image, hole, mask), { width: w, height: h, data: alpha });
}

/** Inpaints only the mask's bounding box (plus a margin): the rest of the texture is transparent anyway. */
function inpaintWithin(image: RasterImage, hole: BinaryMask, mask: BinaryMask): RasterImage {
  const { width: w, height: h, channels: c } = image;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!mask.data[y * w + x]) continue;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  const pad = 4;
  x0 = Math.max(0, x0 - pad); y0 = Math.max(0, y0 - pad); x1 = Math.min(w - 1, x1 + pad); y1 = Math.min(h - 1, y1 + pad);
  const cw = x1 - x0 + 1; const chh = y1 - y0 + 1;
  const sub: RasterImage = { width: cw, height: chh, channels: c, data: new Uint8Array(cw * chh * c) };
  const subHole: BinaryMask = { width: cw, height: chh, data: new Uint8Array(cw * chh) };
  for (let y = 0; y < chh; y++) {
    sub.data.set(image.data.subarray(((y0 + y) * w + x0) * c, ((y0 + y) * w + x1 + 1) * c), y * cw * c);
    subHole.data.set(hole.data.subarray((y0 + y) * w + x0, (y0 + y) * w + x1 + 1), y * cw);
  }
  const filled = inpaint(sub, subHole);
  const out: RasterImage = { ...image, data: Uint8Array.from(image.data) };
  for (let y = 0; y < chh; y++) out.data.set(filled.data.subarray(y * cw * c, (y + 1) * cw * c), ((y0 + y) * w + x0) * c);
  return out;
}

/** Posed joints for the underlay: the arms keep their rest angles relative to the shoulders' turn. */
export function underlayJoints(rest: JointPositions, posed: JointPositions): JointPositions {
  const out = Float64Array.from(posed);
  const turn = (Math.atan2(posed[2 * J.l_shoulder + 1] - posed[2 * J.r_shoulder + 1], posed[2 * J.l_shoulder] - posed[2 * J.r_shoulder])
    - Math.atan2(rest[2 * J.l_shoulder + 1] - rest[2 * J.r_shoulder + 1], rest[2 * J.l_shoulder] - rest[2 * J.r_shoulder]));
  const c = Math.cos(turn);
  const s = Math.sin(turn);
  for (const chain of ARM_CHAINS) {
    for (let k = 1; k < chain.length; k++) {
      const p = chain[k - 1];
      const j = chain[k];
      const dx = rest[2 * j] - rest[2 * p];
      const dy = rest[2 * j + 1] - rest[2 * p + 1];
      out[2 * j] = out[2 * p] + c * dx - s * dy;
      out[2 * j + 1] = out[2 * p + 1] + s * dx + c * dy;
    }
  }
  return out;
}
