import { describe, expect, it } from 'vitest';
import { downscaleRgb, resizeFloatMap, sampleRgb } from '../../src/engine/pose/resample.js';
import type { RasterImage } from '../../src/engine/types.js';

function image(w: number, h: number, c: 3 | 4, f: (x: number, y: number) => number[]): RasterImage {
  const data = new Uint8Array(w * h * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y), (y * w + x) * c);
  return { width: w, height: h, channels: c, data };
}

describe('sampleRgb', () => {
  it('copies pixels exactly at 1:1', () => {
    const img = image(4, 3, 3, (x, y) => [x * 10, y * 10, 7]);
    const out = new Int32Array(4 * 3 * 3);
    sampleRgb(img, { x: 0, y: 0, width: 4, height: 3 }, 4, 3, out);
    expect(Array.from(out)).toEqual(Array.from(img.data));
  });

  it('pads outside the image with 0', () => {
    const img = image(2, 2, 3, () => [200, 200, 200]);
    const out = new Int32Array(4 * 4 * 3);
    sampleRgb(img, { x: -1, y: -1, width: 4, height: 4 }, 4, 4, out);
    expect(out[0]).toBe(0); // (0,0) is outside
    expect(out[3 * (1 * 4 + 1)]).toBe(200); // (1,1) is the image's (0,0)
    expect(out[3 * (3 * 4 + 3)]).toBe(0);
  });

  it('averages a fine checkerboard when downscaling (no aliasing) and scales to 0..1', () => {
    const img = image(64, 64, 3, (x, y) => ((x + y) % 2 ? [255, 255, 255] : [0, 0, 0]));
    const out = new Float32Array(8 * 8 * 3);
    sampleRgb(img, { x: 0, y: 0, width: 64, height: 64 }, 8, 8, out, 1 / 255);
    for (const v of out) expect(v).toBeCloseTo(0.5, 1);
  });

  it('composites RGBA over white', () => {
    const img = image(2, 2, 4, (x) => (x === 0 ? [0, 0, 0, 0] : [0, 0, 0, 255]));
    const out = new Int32Array(2 * 2 * 3);
    sampleRgb(img, { x: 0, y: 0, width: 2, height: 2 }, 2, 2, out);
    expect(Array.from(out.slice(0, 6))).toEqual([255, 255, 255, 0, 0, 0]);
  });
});

describe('resizeFloatMap', () => {
  it('keeps a constant map constant and a horizontal ramp monotonic', () => {
    const c = resizeFloatMap(new Float32Array(16).fill(0.25), 4, 4, 10, 7);
    expect(c).toHaveLength(70);
    for (const v of c) expect(v).toBeCloseTo(0.25);
    const ramp = resizeFloatMap(Float32Array.from({ length: 4 }, (_, i) => i / 3), 4, 1, 16, 2);
    for (let x = 1; x < 16; x++) expect(ramp[x]).toBeGreaterThanOrEqual(ramp[x - 1]);
    expect(ramp[0]).toBeCloseTo(0);
    expect(ramp[15]).toBeCloseTo(1);
  });
});

describe('downscaleRgb', () => {
  it('keeps small RGB images and shrinks large or RGBA ones to RGB', () => {
    const small = image(10, 8, 3, () => [1, 2, 3]);
    expect(downscaleRgb(small, 16)).toEqual({ image: small, factor: 1 });
    const big = image(40, 20, 4, () => [100, 150, 200, 255]);
    const d = downscaleRgb(big, 10);
    expect([d.image.width, d.image.height, d.image.channels, d.factor]).toEqual([10, 5, 3, 0.25]);
    expect(Array.from(d.image.data.slice(0, 3))).toEqual([100, 150, 200]);
  });
});
