import { describe, expect, it } from 'vitest';
import { JOINTS } from '../../src/engine/rig/skeleton.js';
import {
  binaryFromSoft, dilate, hasPlainBackground, refineMask, segmentDrawingLayers, skeletonFromMask, type BinaryMask,
} from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';
import { armDownFigure, drawingImage, figureMask, iou, rng, standardFigure } from './rig-figure.js';

/** Share of the pixels set in `a` that are also set in `b`. */
function covered(a: BinaryMask, b: BinaryMask): number {
  let n = 0; let k = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i]) { n++; k += b.data[i]; }
  return n ? k / n : 1;
}

describe('segmentDrawing', () => {
  it('recovers a drawn figure on noisy paper (opaque part IoU > 0.95, inside a thin transparent margin)', () => {
    const f = standardFigure();
    const layers = segmentDrawingLayers(drawingImage(f, 7));
    const truth = figureMask(f);
    expect(iou(binaryFromSoft(layers.alpha), truth)).toBeGreaterThan(0.95);
    const refined = refineMask(layers.shape, { keepNear: [{ x: 160, y: 150 }], alpha: layers.alpha });
    expect(iou(binaryFromSoft(refined.soft), truth)).toBeGreaterThan(0.95);
    expect(covered(truth, refined.binary)).toBeGreaterThan(0.99);
    expect(covered(refined.binary, dilate(truth, 8))).toBeGreaterThan(0.99);
  });

  it('keeps the gap-free silhouette of an arm held against the body', () => {
    const f = armDownFigure();
    expect(iou(binaryFromSoft(segmentDrawingLayers(drawingImage(f, 3)).alpha), figureMask(f))).toBeGreaterThan(0.95);
  });
});

describe('hasPlainBackground', () => {
  it('is true for paper and false for a busy, coloured background', () => {
    expect(hasPlainBackground(drawingImage(standardFigure()))).toBe(true);
    const rand = rng(5);
    const busy: RasterImage = { width: 200, height: 150, channels: 3, data: new Uint8Array(200 * 150 * 3) };
    for (let i = 0; i < busy.data.length; i++) busy.data[i] = Math.floor(rand() * 256);
    expect(hasPlainBackground(busy)).toBe(false);
    const dark: RasterImage = { width: 100, height: 100, channels: 3, data: new Uint8Array(100 * 100 * 3).fill(40) };
    expect(hasPlainBackground(dark)).toBe(false);
  });
});

describe('skeletonFromMask', () => {
  it('finds head, hands and feet of a front-facing figure', () => {
    const f = standardFigure();
    const j = skeletonFromMask(figureMask(f));
    expect(j).not.toBeNull();
    // Within 8% of the figure's height (320 px tall) of the drawn joints.
    for (let i = 0; i < JOINTS.length; i++) {
      const err = Math.hypot(j![2 * i] - f.joints[2 * i], j![2 * i + 1] - f.joints[2 * i + 1]);
      expect(err, JOINTS[i]).toBeLessThan(26);
    }
  });

  it('returns null for a blob without limbs', () => {
    const w = 200; const h = 260;
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = ((x - 100) / 70) ** 2 + ((y - 130) / 110) ** 2 <= 1 ? 1 : 0;
    const blob: BinaryMask = { width: w, height: h, data };
    expect(skeletonFromMask(blob)).toBeNull();
  });
});
