/** The drawing fixtures (a crayon drawing, a phone photo of a pen drawing with EXIF rotation) and photos that are not drawings. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { limitPixels } from '../../src/engine/character.js';
import { JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';
import { binaryFromSoft, countSet, describeSkeletonFromMask, looksLikeDrawing, segmentDrawingLayers } from '../../src/engine/segment/index.js';
import { readImageRgba } from '../../src/media/image-reader.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../../shared/fixtures');
const present = existsSync(path.join(FIXTURES, 'drawing4.jpg'));
if (!present) console.warn(`skipping drawing fixture tests: ${FIXTURES} not found`);

async function figureOf(name: string) {
  const image = limitPixels(await readImageRgba(path.join(FIXTURES, name)));
  const layers = segmentDrawingLayers(image);
  return { image, layers, skeleton: describeSkeletonFromMask(binaryFromSoft(layers.body)) };
}

describe.skipIf(!present)('drawing fixtures', () => {
  it('drawing4.jpg: a 12 MP phone photo (EXIF 6) of a pen figure on a sheet, with the table and a shadow in frame', async () => {
    const raw = await readImageRgba(path.join(FIXTURES, 'drawing4.jpg'));
    expect([raw.width, raw.height]).toEqual([3024, 4032]); // displayed upright
    const { image, layers, skeleton } = await figureOf('drawing4.jpg');
    expect(looksLikeDrawing(image)).toBe(true);
    const share = countSet(binaryFromSoft(layers.shape)) / (image.width * image.height);
    expect(share).toBeGreaterThan(0.08); // the garlic bulb and its limbs…
    expect(share).toBeLessThan(0.3); // …not the sheet or the table
    const j = skeleton.joints!;
    expect(skeleton.missing).toBeUndefined();
    const x = (k: number) => j[2 * k] / image.width; const y = (k: number) => j[2 * k + 1] / image.height;
    // Arms raised to both sides, legs below the bulb.
    expect(x(J.r_wrist)).toBeLessThan(0.3);
    expect(x(J.l_wrist)).toBeGreaterThan(0.7);
    expect(Math.max(y(J.r_wrist), y(J.l_wrist))).toBeLessThan(y(J.neck) + 0.05);
    expect(y(J.head)).toBeLessThan(y(J.neck));
    expect(y(J.neck)).toBeLessThan(y(J.root));
    expect(Math.min(y(J.r_ankle), y(J.l_ankle))).toBeGreaterThan(0.7);
  });

  it('drawing3.png: a crayon figure whose arms leave the sides of a cone-shaped body', async () => {
    const { image, skeleton } = await figureOf('drawing3.png');
    expect(looksLikeDrawing(image)).toBe(true);
    const j = skeleton.joints!;
    expect(skeleton.missing).toBeUndefined();
    const x = (k: number) => j[2 * k] / image.width; const y = (k: number) => j[2 * k + 1] / image.height;
    expect(x(J.r_wrist)).toBeLessThan(0.15);
    expect(x(J.l_wrist)).toBeGreaterThan(0.85);
    // The shoulders are on the cone's sides, below its tip, and inside the figure.
    expect(y(J.r_shoulder)).toBeGreaterThan(y(J.head) + 0.2);
    expect(Math.abs(x(J.r_shoulder) - 0.37)).toBeLessThan(0.08);
    expect(Math.abs(x(J.l_shoulder) - 0.7)).toBeLessThan(0.08);
    expect(Math.min(y(J.r_ankle), y(J.l_ankle))).toBeGreaterThan(0.8);
  });

  it('photos and illustrations are not taken for drawings on paper', async () => {
    for (const name of ['person2.jpg', 'cartoon1.jpg', 'anime1.png']) {
      expect(looksLikeDrawing(limitPixels(await readImageRgba(path.join(FIXTURES, name)))), name).toBe(false);
    }
  });
});
