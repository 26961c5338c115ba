import { describe, expect, it } from 'vitest';
import { refineByColour } from '../../src/engine/segment/colour-refine.js';
import type { RasterImage, SoftMask } from '../../src/engine/types.js';
import { rng } from './rig-figure.js';

/**
 * A brown figure (a disc for a head with a bun on top, a body below) against blue sky, 240×240, and a
 * person model's soft mask that is unsure (0.4) over the bun, unsure (0.6) over a chunk of sky beside
 * it, and unsure (0.6) over a patch of sky-blue cloth inside the body, joined to the body's edge by an
 * unsure seam.
 */
function scene() {
  const w = 240, h = 240;
  const head = (x: number, y: number) => Math.hypot(x - 120, y - 90) <= 30;
  const bun = (x: number, y: number) => Math.hypot(x - 120, y - 52) <= 12;
  const body = (x: number, y: number) => x >= 80 && x < 160 && y >= 118 && y < 240;
  const chunk = (x: number, y: number) => x >= 136 && x < 170 && y >= 36 && y < 60;
  const cloth = (x: number, y: number) => x >= 95 && x < 110 && y >= 160 && y < 190;
  // An unsure seam of the body's own colour from the cloth out to the body's edge.
  const seam = (x: number, y: number) => x >= 80 && x < 95 && y >= 172 && y < 175;
  const rand = rng(3);
  const image: RasterImage = { width: w, height: h, channels: 3, data: new Uint8Array(w * h * 3) };
  const soft: SoftMask = { width: w, height: h, data: new Float32Array(w * h) };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x, n = (rand() - 0.5) * 12;
      const person = head(x, y) || bun(x, y) || body(x, y);
      if (seam(x, y) && !body(x, y)) throw new Error('the seam lies on the body');
      const rgb = cloth(x, y) || !person ? [150 + n, 190 + n, 235 + n] : [120 + n, 80 + n, 50 + n];
      image.data.set(rgb.map((v) => Math.round(v)), 3 * p);
      soft.data[p] = bun(x, y) ? 0.4 : chunk(x, y) || cloth(x, y) || seam(x, y) ? 0.6 : person ? 1 : 0;
    }
  }
  return { image, soft, bun, chunk, cloth, w };
}

describe('refineByColour', () => {
  const { image, soft, bun, chunk, cloth, w } = scene();
  const out = refineByColour(image, soft);
  const mean = (pred: (x: number, y: number) => boolean) => {
    let s = 0, n = 0;
    for (let p = 0; p < out.data.length; p++) if (pred(p % w, Math.floor(p / w))) { s += out.data[p]; n++; }
    return s / n;
  };

  it('takes the unsure bun of the person\'s colour in, and leaves the unsure chunk of sky out', () => {
    expect(mean(bun)).toBeGreaterThan(0.8);
    expect(mean(chunk)).toBeLessThan(0.2);
  });

  it('opens no hole in the person where its cloth is the sky\'s colour', () => {
    let least = 1;
    for (let p = 0; p < out.data.length; p++) if (cloth(p % w, Math.floor(p / w))) least = Math.min(least, out.data[p]);
    expect(least).toBeGreaterThanOrEqual(0.5);
  });

  it('leaves the sure pixels as they are', () => {
    for (let p = 0; p < out.data.length; p++) if (soft.data[p] === 0 || soft.data[p] === 1) expect(out.data[p]).toBe(soft.data[p]);
  });
});
