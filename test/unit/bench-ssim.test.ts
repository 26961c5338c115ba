import { describe, expect, it } from 'vitest';
import { gaussianTaps, lumaOf, mse, psnrFromMse, ssim, ssimMap, type LumaImage } from '../../bench/ssim.js';

// Reference values from an independent NumPy/SciPy implementation of Wang et al.'s SSIM
// (scipy.signal.correlate2d with the 11×11 σ 1.5 Gaussian, 'valid'), on the same patterns.
const W = 40, H = 30;
function image(f: (x: number, y: number) => number): LumaImage {
  const data = new Float64Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = f(x, y);
  return { width: W, height: H, data };
}
const pattern = (x: number, y: number) => 128 + 60 * Math.sin(x / 3) * Math.cos(y / 4) + 20 * Math.sin((x + y) / 2);
const noise = (x: number, y: number) => ((x * 7919 + y * 104729) % 41) - 20;
const a = image(pattern);
const shifted = image((x, y) => pattern(x + 1, y));
const noisy = image((x, y) => pattern(x, y) + noise(x, y));
const brighter = image((x, y) => pattern(x, y) + 30);

describe('bench SSIM', () => {
  it('has a normalised 11-tap Gaussian window', () => {
    const t = gaussianTaps();
    expect(t.length).toBe(11);
    expect(t.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    expect(t[5]).toBeGreaterThan(t[4]);
    expect(t[0]).toBeCloseTo(t[10], 15);
  });
  it('is 1 for identical images, and its map covers the valid windows only', () => {
    expect(ssim(a, a)).toBeCloseTo(1, 12);
    const map = ssimMap(a, a);
    expect([map.width, map.height]).toEqual([W - 10, H - 10]);
  });
  it('matches the reference on a 1 px shift, added noise, a brightness offset and a box', () => {
    expect(ssim(a, shifted)).toBeCloseTo(0.9145344488817435, 9);
    expect(ssim(a, noisy)).toBeCloseTo(0.8323671738340799, 9);
    expect(ssim(a, brighter)).toBeCloseTo(0.9761469566767463, 9);
    expect(ssim(a, noisy, { x0: 8, y0: 6, x1: 28, y1: 22 })).toBeCloseTo(0.8516137847484855, 9);
  });
  it('is symmetric', () => {
    expect(ssim(noisy, a)).toBeCloseTo(ssim(a, noisy), 12);
    expect(ssim(shifted, a)).toBeCloseTo(ssim(a, shifted), 12);
  });
  it('refuses images of different sizes or smaller than the window', () => {
    expect(() => ssim(a, { width: 10, height: 10, data: new Float64Array(100) })).toThrow(RangeError);
    const tiny = { width: 10, height: 10, data: new Float64Array(100) };
    expect(() => ssim(tiny, tiny)).toThrow(RangeError);
  });
});

describe('bench PSNR and luma', () => {
  it('matches the reference MSE and PSNR, whole and in a box', () => {
    expect(mse(a, noisy)).toBeCloseTo(139.97416666666666, 9);
    expect(psnrFromMse(mse(a, noisy))).toBeCloseTo(26.670324702564923, 9);
    expect(mse(a, noisy, { x0: 8, y0: 6, x1: 28, y1: 22 })).toBeCloseTo(140.1, 9);
    expect(psnrFromMse(0)).toBe(Infinity);
  });
  it('takes BT.601 luma from RGB and RGBA', () => {
    const rgb = lumaOf(new Uint8Array([255, 0, 0, 0, 255, 0, 0, 0, 255]), 3, 1, 3);
    expect(Array.from(rgb.data)).toEqual([0.299 * 255, 0.587 * 255, 0.114 * 255]);
    const rgba = lumaOf(new Uint8Array([10, 10, 10, 0, 200, 200, 200, 255]), 2, 1, 4);
    expect(rgba.data[0]).toBeCloseTo(10, 9);
    expect(rgba.data[1]).toBeCloseTo(200, 9);
  });
});
