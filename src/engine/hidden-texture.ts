/**
 * The texture of what each layer hides in the picture (see rig/hidden.ts): per layer, its hidden
 * pixels are filled from that layer's own pixels only (the torso's cloth under an arm, the face
 * under a hand, a thigh continued into the hips), never from the part in front or the background. Drawn under the layer's own triangles, it shows only where the front part has moved away.
 */
import type { Rig } from './rig/index.js';
import type { BinaryMask } from './segment/index.js';
import { makeCharacterTexture, type PremultipliedTexture } from './render/index.js';
import { membraneFill } from './render/membrane.js';
import type { RasterImage } from './types.js';
import { GROUP_ATTACH_JOINT, PART_GROUPS, firstBoneOf } from './rig/skeleton.js';

/**
 * A limb's first bone as a unit direction from its attach joint, and its length; null when the
 * limb is not rigged.
 */
function firstBone(rig: Rig, layer: number): { ux: number; uy: number; len: number } | null {
  const group = PART_GROUPS[layer];
  if (group === 'trunk' || group === 'head') return null;
  const j = GROUP_ATTACH_JOINT[group];
  const k = firstBoneOf(group);
  if (k < 0) return null;
  const r = rig.restJoints;
  const dx = r[2 * k] - r[2 * j]; const dy = r[2 * k + 1] - r[2 * j + 1];
  const len = Math.hypot(dx, dy);
  return len >= 1 ? { ux: dx / len, uy: dy / len, len } : null;
}

/** The texture's alpha (0..1) at pixel `i`; the texture is the image's size. */
function textureAlpha(texture: PremultipliedTexture, i: number): number {
  const a = texture.data[4 * i + 3];
  return texture.data instanceof Uint8Array ? a / 255 : a;
}

/**
 * Null when nothing is hidden. `texture`, a drawing's own (its alpha is the ink's): a limb's top is
 * as opaque as the limb's pixel it continues, and clear where it continues none, so the paper round a
 * drawn stick stays with the plate; without it, the layer's opacity throughout.
 */
export function buildHiddenTexture(image: RasterImage, rig: Rig, texture?: PremultipliedTexture): PremultipliedTexture | null {
  const { width: w, height: h, own, hidden, opacity } = rig.layers;
  if (image.width !== w || image.height !== h) return null;
  const ownTexture = texture && texture.width === w && texture.height === h ? texture : undefined;
  const c = image.channels;
  const colour = new Uint8Array(w * h * 3);
  const alpha = new Float32Array(w * h);
  const layers = new Set<number>();
  for (let i = 0; i < hidden.length; i++) if (hidden[i] >= 0) layers.add(hidden[i]);
  if (layers.size === 0) return null;
  for (const layer of layers) {
    // The box around the layer and what it hides, with a margin.
    let x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (own[i] !== layer && hidden[i] !== layer) continue;
        if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
      }
    }
    const pad = 4;
    x0 = Math.max(0, x0 - pad); y0 = Math.max(0, y0 - pad); x1 = Math.min(w - 1, x1 + pad); y1 = Math.min(h - 1, y1 + pad);
    const bw = x1 - x0 + 1; const bh = y1 - y0 + 1;
    const sub: RasterImage = { width: bw, height: bh, channels: 3, data: new Uint8Array(bw * bh * 3) };
    const hole: BinaryMask = { width: bw, height: bh, data: new Uint8Array(bw * bh) };
    let known = 0;
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) {
        const i = (y0 + y) * w + x0 + x; const s = y * bw + x;
        for (let k = 0; k < 3; k++) sub.data[3 * s + k] = image.data[c * i + k];
        if (own[i] === layer) known++; else hole.data[s] = 1;
      }
    }
    if (known === 0) continue;
    // A smooth continuation of the layer's own colours: the hidden parts are small and mostly stay
    // covered, and one exemplar fill per layer would cost seconds.
    const filled = membraneFill(sub, hole);
    // A limb's top inside its parent continues the limb itself: each pixel takes the colour of the
    // limb's first own pixel along the bone (its cross-section drawn on back into the joint), so a
    // sleeve's folds or a drawn stick's line go on where a smooth fill would leave a pale disc.
    const bone = firstBone(rig, layer);
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) {
        const i = (y0 + y) * w + x0 + x;
        if (hidden[i] !== layer) continue;
        const s = y * bw + x;
        let from = -1;
        if (bone) {
          for (let d = 1; d <= bone.len && from < 0; d++) {
            const qx = Math.round(x0 + x + bone.ux * d); const qy = Math.round(y0 + y + bone.uy * d);
            if (qx < 0 || qy < 0 || qx >= w || qy >= h) break;
            if (own[qy * w + qx] === layer) from = qy * w + qx;
          }
        }
        for (let k = 0; k < 3; k++) colour[3 * i + k] = from >= 0 ? image.data[c * from + k] : filled.data[3 * s + k];
        alpha[i] = (opacity[i] / 255) * (ownTexture ? (from >= 0 ? textureAlpha(ownTexture, from) : 0) : 1);
      }
    }
  }
  return makeCharacterTexture({ width: w, height: h, channels: 3, data: colour }, { width: w, height: h, data: alpha });
}
