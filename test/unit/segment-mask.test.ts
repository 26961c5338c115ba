import { describe, expect, it } from 'vitest';
import {
  countSet, dilate, erode, fillHoles, insideDistance, largestComponent, maskFromAlpha, morph3x3, refineMask, squaredDistanceTo, type BinaryMask,
} from '../../src/engine/segment/index.js';
import type { RasterImage, SoftMask } from '../../src/engine/types.js';

function maskOf(w: number, h: number, inside: (x: number, y: number) => boolean): BinaryMask {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = inside(x, y) ? 1 : 0;
  return { width: w, height: h, data };
}
const softOf = (m: BinaryMask): SoftMask => ({ width: m.width, height: m.height, data: Float32Array.from(m.data) });
const at = (m: BinaryMask | SoftMask, x: number, y: number) => m.data[y * m.width + x];

describe('morphology', () => {
  it('dilates a point into a Euclidean disc and erodes it back', () => {
    const dot = maskOf(41, 41, (x, y) => x === 20 && y === 20);
    const disc = dilate(dot, 5);
    expect(countSet(disc)).toBe(maskOf(41, 41, (x, y) => (x - 20) ** 2 + (y - 20) ** 2 <= 25).data.reduce((a, b) => a + b, 0));
    expect(at(disc, 25, 20)).toBe(1);
    expect(at(disc, 24, 24)).toBe(0);
    const back = erode(disc, 5);
    expect(countSet(back)).toBe(1);
    expect(at(back, 20, 20)).toBe(1);
  });

  it('does not erode from the image border (as OpenCV)', () => {
    const full = maskOf(10, 10, () => true);
    expect(countSet(erode(full, 3))).toBe(100);
  });

  it('3x3 dilation grows a square by one pixel each side', () => {
    const sq = maskOf(20, 20, (x, y) => x >= 5 && x < 10 && y >= 5 && y < 10);
    expect(countSet(morph3x3(sq, 'dilate'))).toBe(49);
    expect(countSet(morph3x3(sq, 'erode'))).toBe(9);
  });

  it('keeps the largest component and fills holes up to a size', () => {
    const m = maskOf(60, 60, (x, y) => {
      const ring = x >= 5 && x < 35 && y >= 5 && y < 35 && !(x >= 10 && x < 30 && y >= 10 && y < 30);
      const speck = x >= 50 && x < 53 && y >= 50 && y < 53;
      const dot = x >= 40 && x < 55 && y >= 5 && y < 20 && !(x === 47 && y === 12);
      return ring || speck || dot;
    });
    const big = largestComponent(m);
    expect(countSet(big)).toBe(30 * 30 - 20 * 20);
    const smallOnly = fillHoles(m, 10);
    expect(at(smallOnly, 47, 12)).toBe(1);
    expect(at(smallOnly, 20, 20)).toBe(0);
    expect(at(fillHoles(m), 20, 20)).toBe(1);
  });
});

describe('refineMask', () => {
  const body = (x: number, y: number) => (x - 30) ** 2 + (y - 40) ** 2 <= 400;
  const other = (x: number, y: number) => x >= 70 && x < 110 && y >= 10 && y < 90; // a bigger shape elsewhere
  const m = maskOf(120, 100, (x, y) => body(x, y) || other(x, y) || (x === 30 && y === 40 ? false : false));

  it('keeps the component at the given points even when another is larger', () => {
    const r = refineMask(softOf(m), { keepNear: [{ x: 30, y: 40 }] });
    expect(at(r.binary, 30, 40)).toBe(1);
    expect(at(r.binary, 90, 50)).toBe(0);
    const largest = refineMask(softOf(m));
    expect(at(largest.binary, 90, 50)).toBe(1);
    expect(at(largest.binary, 30, 40)).toBe(0);
  });

  it('feathers the alpha over the outermost pixels only', () => {
    const r = refineMask(softOf(m), { keepNear: [{ x: 30, y: 40 }] });
    expect(at(r.soft, 30, 40)).toBe(1);
    expect(at(r.soft, 30, 22)).toBe(1);
    expect(at(r.soft, 30, 20)).toBeGreaterThan(0);
    expect(at(r.soft, 30, 20)).toBeLessThan(1);
    expect(at(r.soft, 30, 19)).toBe(0);
  });

  it('fills a small hole inside the body but keeps a large gap open', () => {
    const holey = maskOf(120, 100, (x, y) => {
      const inBody = x >= 10 && x < 110 && y >= 10 && y < 90;
      const pin = x >= 20 && x < 23 && y >= 20 && y < 23;
      const gap = x >= 40 && x < 80 && y >= 30 && y < 70;
      return inBody && !pin && !gap;
    });
    const r = refineMask(softOf(holey));
    expect(at(r.binary, 21, 21)).toBe(1);
    expect(at(r.binary, 60, 50)).toBe(0);
  });
});

describe('maskFromAlpha', () => {
  const rgba = (alpha: (x: number, y: number) => number): RasterImage => {
    const data = new Uint8Array(50 * 50 * 4);
    for (let y = 0; y < 50; y++) for (let x = 0; x < 50; x++) { const i = (y * 50 + x) * 4; data[i] = 200; data[i + 3] = alpha(x, y); }
    return { width: 50, height: 50, channels: 4, data };
  };
  it('uses a real cut-out alpha channel', () => {
    const m = maskFromAlpha(rgba((x, y) => ((x - 25) ** 2 + (y - 25) ** 2 < 200 ? 255 : 0)));
    expect(m).not.toBeNull();
    expect(m!.data[25 * 50 + 25]).toBe(1);
    expect(m!.data[0]).toBe(0);
  });
  it('returns null for opaque RGBA and for RGB', () => {
    expect(maskFromAlpha(rgba(() => 255))).toBeNull();
    expect(maskFromAlpha({ width: 2, height: 1, channels: 3, data: new Uint8Array(6) })).toBeNull();
  });
});

describe('cropped morphology matches the whole-image distance transform', () => {
  /** Random blobs placed anywhere, touching the border or not, so the cropped box is clamped on some sides. */
  const randomMask = (seed: number, w: number, h: number): BinaryMask => {
    let s = seed;
    const rnd = () => { s = (s * 1103515245 + 12345) % 2147483648; return s / 2147483648; };
    const data = new Uint8Array(w * h);
    const blobs = 1 + Math.floor(rnd() * 4);
    for (let b = 0; b < blobs; b++) {
      const cx = rnd() * w; const cy = rnd() * h; const r = 1 + rnd() * 12;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (Math.hypot(x - cx, y - cy) <= r && rnd() > 0.05) data[y * w + x] = 1;
    }
    return { width: w, height: h, data };
  };
  const reference = (m: BinaryMask, value: 0 | 1) => squaredDistanceTo(m, value);

  it('dilate, erode and insideDistance agree pixel for pixel with the full transform', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const m = randomMask(seed, 37 + (seed % 5) * 9, 29 + (seed % 3) * 11);
      const toSet = reference(m, 1); const toUnset = reference(m, 0);
      for (const r of [0, 0.5, 1, 2.5, 4, 7]) {
        const d = dilate(m, r); const e = erode(m, r);
        let wrong = 0;
        for (let p = 0; p < m.data.length; p++) {
          if (d.data[p] !== (toSet[p] <= r * r ? 1 : 0)) wrong++;
          if (e.data[p] !== (toUnset[p] > r * r ? 1 : 0)) wrong++;
        }
        expect(wrong, `seed ${seed}, r ${r}`).toBe(0);
      }
      const inside = insideDistance(m);
      let wrong = 0;
      for (let p = 0; p < m.data.length; p++) {
        if (inside[p] !== Math.fround(m.data[p] ? Math.sqrt(Math.min(toUnset[p], 1e12)) : 0)) wrong++;
      }
      expect(wrong, `seed ${seed}`).toBe(0);
    }
  });

  it('an empty mask dilates and erodes to nothing, a full one erodes to itself', () => {
    const empty: BinaryMask = { width: 9, height: 7, data: new Uint8Array(63) };
    expect(countSet(dilate(empty, 3))).toBe(0);
    expect(countSet(erode(empty, 3))).toBe(0);
    expect(Array.from(insideDistance(empty)).every((v) => v === 0)).toBe(true);
    const full: BinaryMask = { width: 9, height: 7, data: new Uint8Array(63).fill(1) };
    expect(countSet(dilate(full, 2))).toBe(63);
    expect(countSet(erode(full, 2))).toBe(63);
  });
});
