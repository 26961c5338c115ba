/**
 * The character's whole extent: the mask the rig is built on and the hole the clean plate fills.
 */
import { dilate, type BinaryMask } from './mask.js';

function maskHeight(m: BinaryMask): number {
  let top = -1; let bottom = -1;
  for (let y = 0; y < m.height; y++) {
    const row = m.data.subarray(y * m.width, (y + 1) * m.width);
    if (row.includes(1)) { if (top < 0) top = y; bottom = y; }
  }
  return top < 0 ? 0 : bottom - top + 1;
}

/**
 * The plate's hole: a little beyond the outline, so no halo of the character stays in the plate
 * (about 1.2% of the character's height: enough to swallow the soft edge and its shadow line).
 */
export function plateHoleOf(mask: BinaryMask): BinaryMask {
  return dilate(mask, Math.max(3, Math.round(maskHeight(mask) * 0.012)));
}
