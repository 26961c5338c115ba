/** The geometry chain on a real child's drawing (AnimatedDrawings' example), when the fixtures are present. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readImageRgba } from '../../src/media/image-reader.js';
import { drawRig, makeCharacterTexture } from '../../src/engine/render/index.js';
import { buildRig } from '../../src/engine/rig/index.js';
import { DEFAULT_LAYER_ORDER, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';
import { countSet, erode, hasPlainBackground, maskFromAlpha, refineMask, segmentDrawing, skeletonFromMask } from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';
import { distinctPoints } from './rig-figure.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const DRAWING = path.join(FIXTURES, 'drawing1.png');
const present = existsSync(DRAWING);
if (!present) console.warn(`skipping drawing fixture tests: ${DRAWING} not found`);

function rgbOf(img: { width: number; height: number; data: Uint8Array }): RasterImage {
  const out = new Uint8Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) out.set(img.data.subarray(4 * i, 4 * i + 3), 3 * i);
  return { width: img.width, height: img.height, channels: 3, data: out };
}

describe.skipIf(!present)('drawing1.png (marker drawing photographed on grey paper)', () => {
  it('segments, finds a figure skeleton, rigs and redraws it', async () => {
    const rgba = await readImageRgba(DRAWING);
    expect(maskFromAlpha(rgba)).toBeNull(); // its alpha channel is fully opaque
    const img = rgbOf(rgba);
    expect(hasPlainBackground(img)).toBe(true);
    const { binary, soft } = refineMask(segmentDrawing(img));
    const share = countSet(binary) / (img.width * img.height);
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.6);

    const j = skeletonFromMask(binary);
    expect(j).not.toBeNull();
    const y = (k: number) => j![2 * k + 1]; const x = (k: number) => j![2 * k];
    expect(y(J.head)).toBeLessThan(y(J.neck));
    expect(y(J.neck)).toBeLessThan(y(J.root));
    expect(Math.min(y(J.l_ankle), y(J.r_ankle))).toBeGreaterThan(y(J.root));
    expect(x(J.r_wrist)).toBeLessThan(80); // the figure's right hand is at the image's left edge
    expect(x(J.l_wrist)).toBeGreaterThan(img.width - 80);

    const rig = buildRig(binary, j!);
    expect(distinctPoints(rig)).toBeGreaterThan(300);
    expect(distinctPoints(rig)).toBeLessThan(900);
    const canvas = { width: img.width, height: img.height, data: new Uint8Array(img.width * img.height * 3) };
    drawRig(canvas, makeCharacterTexture(img, soft), rig, rig.rest, { order: [...DEFAULT_LAYER_ORDER] });
    const inner = erode(binary, 2);
    let err = 0; let n = 0;
    for (let i = 0; i < inner.data.length; i++) if (inner.data[i]) { err += Math.abs(canvas.data[3 * i] - img.data[3 * i]); n++; }
    expect(err / n).toBeLessThan(2);
  });
});
