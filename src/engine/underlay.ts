/**
 * The body under the arms. Where an arm lay on the body in the picture (hands in pockets, arms at
 * the sides), the body's own pixels were never seen; when the arm moves away, the plate would show
 * through. The underlay fills the arms' pixels from the body's (inpainting that takes colour only
 * from trunk, legs and head) and draws them beneath everything, carried by the trunk as if the
 * arms had not moved.
 */
import { computeLabelGrid } from './rig/labels.js';
import { JOINT_INDEX as J, boneGroup, type JointPositions } from './rig/skeleton.js';
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
      if (group === 'l_arm' || group === 'r_arm') { hole.data[i] = 1; arms++; } else body++;
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
  return makeCharacterTexture(inpaint(image, hole), { width: w, height: h, data: alpha });
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
