import { describe, expect, it } from 'vitest';
import { inpaint, resizeRgb } from '../../src/engine/render/index.js';
import { membraneFill } from '../../src/engine/render/membrane.js';
import type { BinaryMask } from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';

function image(w: number, h: number, f: (x: number, y: number) => [number, number, number]): RasterImage {
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(f(x, y).map((v) => Math.round(v)), 3 * (y * w + x));
  return { width: w, height: h, channels: 3, data };
}

describe('inpaint (exemplar)', () => {
  const w = 160; const h = 120;
  // Vertical stripes, 8 px period, two colours with a little grain: a texture a membrane cannot make.
  const stripes = (x: number, y: number): [number, number, number] => {
    const grain = ((x * 7 + y * 13) % 5) * 2;
    return x % 8 < 4 ? [200 + grain, 60, 40] : [40 + grain, 90, 180];
  };
  const truth = image(w, h, stripes);
  const disc = (cx: number, cy: number, r: number): BinaryMask => {
    const data = new Uint8Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = (x - cx) ** 2 + (y - cy) ** 2 < r * r ? 1 : 0;
    return { width: w, height: h, data };
  };
  const hole = disc(75, 60, 28);
  const holed = { ...truth, data: Uint8Array.from(truth.data) };
  for (let i = 0; i < w * h; i++) if (hole.data[i]) holed.data.set([255, 0, 255], 3 * i);
  const meanError = (out: RasterImage): number => {
    let sum = 0; let n = 0;
    for (let i = 0; i < w * h; i++) {
      if (!hole.data[i]) continue;
      for (let c = 0; c < 3; c++) { sum += Math.abs(out.data[3 * i + c] - truth.data[3 * i + c]); n++; }
    }
    return sum / n;
  };
  const out = inpaint(holed, hole);

  it('continues a striped texture into the hole, where a membrane leaves a smooth blend', () => {
    const exemplar = meanError(out);
    const membrane = meanError(membraneFill(holed, hole));
    expect(membrane).toBeGreaterThan(30);
    expect(exemplar).toBeLessThan(8);
  });

  it('continues each band of a scene at its own height (the wall across a wide hole stays wall)', () => {
    // Sky, a red wall and grey ground in horizontal bands, each with grain. The hole is wider than the wall band
    // is tall, so most of the wall's missing pixels lie nearer the sky above or the ground below than the wall
    // beside; with distance alone as the tie-break, sky and ground grew into half of the wall's rows.
    const bw = 200; const bh = 150;
    const band = (y: number): number => (y < 40 ? 0 : y < 85 ? 1 : 2);
    const colours: [number, number, number][] = [[70, 120, 210], [190, 70, 50], [120, 120, 120]];
    const scene = image(bw, bh, (x, y) => {
      const g = ((x * 7 + y * 13) % 9) * 3 - 12;
      return colours[band(y)].map((v) => v + g) as [number, number, number];
    });
    const X0 = 30; const X1 = 170; const Y0 = 30; const Y1 = 100;
    const wide: BinaryMask = { width: bw, height: bh, data: new Uint8Array(bw * bh) };
    for (let y = Y0; y < Y1; y++) for (let x = X0; x < X1; x++) wide.data[y * bw + x] = 1;
    const filled = inpaint(scene, wide);
    const wrong = [0, 0, 0]; const seen = [0, 0, 0];
    for (let y = Y0; y < Y1; y++) {
      // A few rows either side of a band's edge may go either way.
      if (Math.abs(y - 40) < 4 || Math.abs(y - 85) < 4) continue;
      for (let x = X0; x < X1; x++) {
        const i = 3 * (y * bw + x);
        const px = [filled.data[i], filled.data[i + 1], filled.data[i + 2]];
        const nearest = colours.map((c) => c.reduce((s, v, k) => s + (v - px[k]) ** 2, 0));
        const b = band(y);
        seen[b]++;
        if (nearest.indexOf(Math.min(...nearest)) !== b) wrong[b]++;
      }
    }
    for (let b = 0; b < 3; b++) expect(wrong[b] / seen[b]).toBeLessThan(0.02);
  });

  it('leaves known pixels untouched and gives the same plate every time', () => {
    for (let i = 0; i < w * h; i++) if (!hole.data[i]) for (let c = 0; c < 3; c++) expect(out.data[3 * i + c]).toBe(holed.data[3 * i + c]);
    expect(Array.from(inpaint(holed, hole).data)).toEqual(Array.from(out.data));
  });

  it('takes patches only from the allowed source pixels', () => {
    // Left half red stripes, right half blue; the hole is in the blue half.
    const split = image(w, h, (x, y) => (x < w / 2 ? [220, 30 + ((x + y) % 4) * 10, 30] : [30, 30 + ((x + y) % 4) * 10, 220]));
    const hole2 = disc(120, 60, 18);
    const redness = (img: RasterImage): number => {
      let r = 0; let b = 0;
      for (let i = 0; i < w * h; i++) if (hole2.data[i]) { r += img.data[3 * i]; b += img.data[3 * i + 2]; }
      return r / (r + b);
    };
    expect(redness(inpaint(split, hole2))).toBeLessThan(0.2);
    const left: BinaryMask = { width: w, height: h, data: new Uint8Array(w * h) };
    for (let y = 0; y < h; y++) for (let x = 0; x < w / 2; x++) left.data[y * w + x] = 1;
    expect(redness(inpaint(split, hole2, { source: left }))).toBeGreaterThan(0.8);
  });

  it('meets a smooth gradient at the hole edge without a step', () => {
    const gradient = image(w, h, (x, y) => [20 + x, 30 + 1.5 * y, 200 - 0.5 * x - 0.4 * y]);
    const filled = inpaint(gradient, hole);
    // Across the edge, neighbours differ by the gradient's own step (≤ 1.5 + rounding), not by a seam.
    let worst = 0; let sum = 0; let n = 0;
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const i = y * w + x;
        for (const j of [i + 1, i + w]) {
          if (hole.data[i] === hole.data[j]) continue;
          for (let c = 0; c < 3; c++) {
            const step = Math.abs(filled.data[3 * i + c] - filled.data[3 * j + c]) - Math.abs(gradient.data[3 * i + c] - gradient.data[3 * j + c]);
            worst = Math.max(worst, step); sum += Math.max(0, step); n++;
          }
        }
      }
    }
    expect(sum / n).toBeLessThan(1);
    expect(worst).toBeLessThanOrEqual(4);
  });

  it('returns the image unchanged when there is no hole or nothing is known', () => {
    const small = image(4, 4, () => [1, 2, 3]);
    const all: BinaryMask = { width: 4, height: 4, data: new Uint8Array(16).fill(1) };
    const none: BinaryMask = { width: 4, height: 4, data: new Uint8Array(16) };
    expect(Array.from(inpaint(small, all).data)).toEqual(Array.from(small.data));
    expect(Array.from(inpaint(small, none).data)).toEqual(Array.from(small.data));
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
