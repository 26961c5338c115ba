/** Drawings photographed on paper (made in code): shadows, a table and the sheet's edge, thin and open lines, stick figures. */
import { describe, expect, it } from 'vitest';
import { JOINTS, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';
import {
  binaryFromSoft, countSet, describeSkeletonFromMask, dilate, estimatePaper, insideDistance, looksLikePaper, refineMask,
  segmentDrawingLayers, type BinaryMask,
} from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';
import { blobDrawing, H, outlineFigure, stickFigure, W } from './paper-drawing.js';
import { rng, standardFigure } from './rig-figure.js';

/** Share of the pixels set in `a` that are also set in `b`. */
function covered(a: BinaryMask, b: BinaryMask): number {
  let n = 0; let k = 0;
  for (let i = 0; i < a.data.length; i++) if (a.data[i]) { n++; k += b.data[i]; }
  return n ? k / n : 1;
}

function jointError(j: Float64Array, truth: Float64Array, name: (typeof JOINTS)[number]): number {
  const k = J[name];
  return Math.hypot(j[2 * k] - truth[2 * k], j[2 * k + 1] - truth[2 * k + 1]);
}

function shapeOf(img: RasterImage) {
  const layers = segmentDrawingLayers(img);
  const refined = refineMask(layers.shape, { alpha: layers.alpha });
  return { layers, binary: refined.binary, alpha: refined.soft, body: binaryFromSoft(layers.body) };
}

describe('paper under a photographed drawing', () => {
  it('is found despite a shadow and a table beside the sheet; a photo-like image is not paper', () => {
    const { image } = stickFigure();
    const p = estimatePaper(image);
    expect(looksLikePaper(p)).toBe(true);
    // The background estimate follows the shadow: the shaded corner is estimated darker than the lit one.
    expect(p.background[(H - 60) * W + 60]).toBeLessThan(0.8 * p.background[60 * W + W - 60]);
    const rand = rng(9);
    const busy: RasterImage = { width: 300, height: 300, channels: 3, data: new Uint8Array(300 * 300 * 3) };
    for (let i = 0; i < busy.data.length; i++) busy.data[i] = Math.floor(rand() * 256);
    expect(looksLikePaper(estimatePaper(busy))).toBe(false);
  });
});

describe('stick figure in pen', () => {
  const d = stickFigure();
  const { binary, alpha, layers, body } = shapeOf(d.image);

  it('covers every stroke, leaves out the table and thickens the limbs for the mesh', () => {
    expect(covered(d.ink, binary)).toBeGreaterThan(0.98);
    // Not the table (left of x=30, below y=770) nor the paper beyond the figure.
    for (let y = 0; y < H; y++) for (let x = 0; x < 30; x++) expect(binary.data[y * W + x]).toBe(0);
    expect(countSet(binary)).toBeLessThan(0.25 * W * H);
    // The forearm, one 3 px stroke, is now at least 10 px wide.
    const dt = insideDistance(binary);
    expect(dt[315 * W + 178]).toBeGreaterThan(4);
    // The thickening is transparent: paper beside the stroke does not move with the limb.
    expect(alpha.data[(315 - 6) * W + 178]).toBeLessThan(0.2);
    expect(alpha.data[315 * W + 178]).toBeGreaterThan(0.8);
    expect(layers.inkPixels).toBeLessThan(1.6 * countSet(d.ink)); // the figure, not the table too
  });

  it('makes what the head\'s ring encloses opaque (the face is the figure\'s), and the paper round a stroke clear', () => {
    // The ring: centre (300, 170), radius 60; its paper moves with the figure.
    for (const [x, y] of [[300, 170], [270, 150], [330, 195]]) expect(alpha.data[y * W + x], `${x},${y}`).toBeGreaterThan(0.95);
    // Beside the body's stroke (x = 300), below the head.
    expect(alpha.data[330 * W + 308]).toBeLessThan(0.2);
  });

  it('finds the skeleton from the strokes: head in the loop on top, limbs along the strokes', () => {
    const r = describeSkeletonFromMask(body);
    expect(r.missing).toBeUndefined();
    const j = r.joints!;
    const tol = 0.1 * 510; // 10% of the figure's height
    for (const n of ['head', 'r_wrist', 'l_wrist', 'r_ankle', 'l_ankle', 'r_elbow', 'l_elbow', 'r_knee', 'l_knee'] as const) {
      expect(jointError(j, d.joints, n), n).toBeLessThan(tol);
    }
    // The figure's right hand is on the image's left.
    expect(j[2 * J.r_wrist]).toBeLessThan(j[2 * J.l_wrist]);
    expect(j[2 * J.neck + 1]).toBeLessThan(j[2 * J.root + 1]);
    expect(j[2 * J.root + 1]).toBeLessThan(j[2 * J.r_knee + 1]);
  });
});

describe('thin pencil outline of a figure', () => {
  it('fills what the outline encloses and finds the figure\'s joints', () => {
    const d = outlineFigure(standardFigure());
    const { binary, body } = shapeOf(d.image);
    expect(covered(d.filled, binary)).toBeGreaterThan(0.97);
    // Beyond the outline only a thin margin (2% of the figure) and the rounded inner corners.
    expect(covered(binary, dilate(d.filled, 14))).toBeGreaterThan(0.99);
    const j = describeSkeletonFromMask(body).joints!;
    expect(j).toBeDefined();
    for (const n of ['head', 'r_wrist', 'l_wrist', 'r_ankle', 'l_ankle', 'r_knee', 'l_knee'] as const) {
      expect(jointError(j, d.joints, n), n).toBeLessThan(0.1 * 672);
    }
  });

  it('fills an outline left open by a gap of 3% of the figure', () => {
    const d = outlineFigure(standardFigure(), 20);
    const { binary } = shapeOf(d.image);
    expect(covered(d.filled, binary)).toBeGreaterThan(0.97);
    expect(covered(binary, dilate(d.filled, 14))).toBeGreaterThan(0.99);
  });
});

describe('drawings that are not figures', () => {
  it('a closed loop: one shape but no limbs', () => {
    const { binary, body } = shapeOf(blobDrawing().image);
    expect(countSet(binary)).toBeGreaterThan(0.1 * W * H); // the loop is found and filled
    expect(describeSkeletonFromMask(body).missing).toBe('found one shape but no limbs');
  });

  it('blank paper: no drawn shape', () => {
    const blank = stickFigure().image;
    const { layers } = shapeOf({ ...blank, data: Uint8Array.from(blank.data, (v, i) => (Math.floor(i / 3) % W < 30 ? v : 225)) });
    expect(countSet(binaryFromSoft(layers.shape))).toBe(0);
    expect(describeSkeletonFromMask(binaryFromSoft(layers.shape)).missing).toBe('found no drawn shape');
  });

  it('a stick figure upside down: no head on top', () => {
    const d = stickFigure();
    const { body } = shapeOf(d.image);
    const flipped = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) flipped[(H - 1 - y) * W + x] = body.data[y * W + x];
    expect(describeSkeletonFromMask({ width: W, height: H, data: flipped }).missing).toMatch(/^found no head above the body/);
  });
});
