import { describe, expect, it } from 'vitest';
import { inpaint, resizeRgb } from '../../src/engine/render/index.js';
import type { BinaryMask } from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]): RasterImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y).map((v) => Math.round(v)), 3 * (y * w + x));
  return { width: w, height: h, channels: 3, data };
}

describe('inpaint', () => {
  const w = 160; const h = 120;
  const gradient = (x: number, y: number): [number, number, number] => [20 + x, 30 + 1.5 * y, 200 - 0.5 * x - 0.4 * y];
  const img = image(w, h, gradient);
  const holeData = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) holeData[y * w + x] = ((x - 70) ** 2 + (y - 60) ** 2 < 35 ** 2) || (x > 100 && x < 140 && y > 20 && y < 50) ? 1 : 0;
  const hole: BinaryMask = { width: w, height: h, data: holeData };
  const holed = { ...img, data: Uint8Array.from(img.data) };
  for (let i = 0; i < holeData.length; i++) if (holeData[i]) holed.data.set([255, 0, 255], 3 * i);
  const out = inpaint(holed, hole);

  it('fills a hole in a smooth gradient with small error', () => {
    let sum = 0; let n = 0; let max = 0;
    for (let i = 0; i < holeData.length; i++) {
      if (!holeData[i]) continue;
      for (let c = 0; c < 3; c++) { const e = Math.abs(out.data[3 * i + c] - img.data[3 * i + c]); sum += e; n++; max = Math.max(max, e); }
    }
    expect(sum / n).toBeLessThan(1.5);
    expect(max).toBeLessThan(6);
  });

  it('leaves known pixels untouched and shows no seam at the hole edge', () => {
    for (let i = 0; i < holeData.length; i++) if (!holeData[i]) expect(out.data[3 * i]).toBe(img.data[3 * i]);
    // Across the boundary the step between neighbours stays the gradient's step (≤ 1.5 + rounding).
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const i = y * w + x;
        if (holeData[i] === holeData[i + 1]) continue;
        for (let c = 0; c < 3; c++) expect(Math.abs(out.data[3 * i + c] - out.data[3 * (i + 1) + c])).toBeLessThanOrEqual(3);
      }
    }
  });

  it('returns the image unchanged when nothing is known', () => {
    const all: BinaryMask = { width: 4, height: 4, data: new Uint8Array(16).fill(1) };
    const small = image(4, 4, () => [1, 2, 3]);
    expect(Array.from(inpaint(small, all).data)).toEqual(Array.from(small.data));
  });
});

describe('resizeRgb', () => {
  it('keeps a solid colour exact when shrinking and enlarging', () => {
    const solid = image(97, 61, () => [12, 200, 255]);
    for (const [w, h] of [[40, 25], [33, 61], [200, 130], [97, 61], [1, 1]]) {
      const r = resizeRgb(solid, w, h);
      expect(r.width).toBe(w); expect(r.height).toBe(h);
      for (let i = 0; i < w * h; i++) expect([r.data[3 * i], r.data[3 * i + 1], r.data[3 * i + 2]]).toEqual([12, 200, 255]);
    }
  });

  it('averages areas when shrinking and interpolates when enlarging', () => {
    const checker = image(8, 8, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0]));
    const half = resizeRgb(checker, 4, 4);
    for (const v of half.data) expect(Math.abs(v - 127.5)).toBeLessThanOrEqual(0.5);
    const ramp = image(10, 1, (x) => [x * 20, 0, 0]);
    const big = resizeRgb(ramp, 40, 1);
    for (let x = 1; x < 40; x++) expect(big.data[3 * x]).toBeGreaterThanOrEqual(big.data[3 * (x - 1)]);
    expect(big.data[0]).toBe(0);
    expect(big.data[3 * 39]).toBe(180);
  });
});
