import { describe, expect, it } from 'vitest';
import { makeCharacterTexture } from '../../src/engine/render/index.js';
import { narrowAlpha, widenAlpha } from '../../src/engine/render/texture.js';
import type { RasterImage, SoftMask } from '../../src/engine/types.js';

/** A red disc with a true anti-aliased rim (coverage from 4×4 supersampling) over a blue-green background. */
function compositeDisc(): { img: RasterImage; alpha: SoftMask; bg: RasterImage; fg: [number, number, number] } {
  const w = 80; const h = 80; const fg: [number, number, number] = [220, 40, 30];
  const img = new Uint8Array(w * h * 3); const bg = new Uint8Array(w * h * 3); const alpha = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let cover = 0;
      for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) cover += (x + (sx + 0.5) / 4 - 40) ** 2 + (y + (sy + 0.5) / 4 - 40) ** 2 < 25.3 ** 2 ? 1 : 0;
      const a = cover / 16; const p = y * w + x;
      const b = [30 + x, 160, 200 - y];
      alpha[p] = a;
      for (let c = 0; c < 3; c++) { bg[3 * p + c] = b[c]; img[3 * p + c] = Math.round(a * fg[c] + (1 - a) * b[c]); }
    }
  }
  return { img: { width: w, height: h, channels: 3, data: img }, alpha: { width: w, height: h, data: alpha }, bg: { width: w, height: h, channels: 3, data: bg }, fg };
}

describe('makeCharacterTexture', () => {
  const { img, alpha, bg, fg } = compositeDisc();
  /** Mean |colour − true foreground| over the rim's translucent pixels (colour = premultiplied / alpha). */
  const rimError = (tex: ArrayLike<number>): number => {
    let sum = 0; let n = 0;
    for (let p = 0; p < alpha.data.length; p++) {
      const a = alpha.data[p];
      if (a < 0.2 || a > 0.95) continue;
      for (let c = 0; c < 3; c++) { sum += Math.abs(tex[4 * p + c] / a - fg[c]); n++; }
    }
    expect(n).toBeGreaterThan(100);
    return sum / n;
  };

  it('gives the rim the character\'s own colour when the background is known (no halo)', () => {
    const plain = rimError(makeCharacterTexture(img, alpha).data);
    const solved = rimError(makeCharacterTexture(img, alpha, bg).data);
    expect(plain).toBeGreaterThan(40);
    expect(solved).toBeLessThan(6);
  });

  it('keeps opaque pixels and the alpha exactly', () => {
    const tex = makeCharacterTexture(img, alpha, bg).data;
    for (let p = 0; p < alpha.data.length; p++) {
      expect(tex[4 * p + 3]).toBe(alpha.data[p]);
      if (alpha.data[p] === 1) for (let c = 0; c < 3; c++) expect(tex[4 * p + c]).toBe(img.data[3 * p + c]);
    }
  });
});

describe('narrowAlpha', () => {
  // A dark disc whose edge is blurred over 6 px into a light background; the mask given is opaque
  // out to the blur's outer end (a person model's fat edge).
  const fgc = [60, 40, 30], bgc = [235, 225, 230];
  let w = 80, h = 80, radius = 28;
  const make = (blur: number, size = 80) => {
    w = size; h = size; radius = 0.35 * size;
    const cx = size / 2;
    const img = new Uint8Array(w * h * 3), bg = new Uint8Array(w * h * 3);
    const trueAlpha = new Float32Array(w * h), mask = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x, r = Math.hypot(x - cx, y - cx);
        const a = blur > 0 ? Math.min(1, Math.max(0, (radius - r) / blur)) : r <= radius ? 1 : 0;
        trueAlpha[p] = a;
        mask[p] = r <= radius ? 1 : 0;
        for (let c = 0; c < 3; c++) { bg[3 * p + c] = bgc[c]; img[3 * p + c] = Math.round(a * fgc[c] + (1 - a) * bgc[c]); }
      }
    }
    const fg = new Float32Array(w * h * 3);
    for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) fg[3 * p + c] = img[3 * p + c];
    return { img: { width: w, height: h, channels: 3 as const, data: img }, bg: { width: w, height: h, channels: 3 as const, data: bg }, trueAlpha, mask, fg };
  };

  it('lowers the alpha of a fat mask over a blurred edge to what the picture shows, and carries the inside colour there', () => {
    const { img, bg, trueAlpha, mask, fg } = make(6);
    const out = narrowAlpha(img, mask, fg, bg);
    let errBefore = 0, errAfter = 0, n = 0, colourErr = 0;
    for (let p = 0; p < w * h; p++) {
      if (!mask[p] || trueAlpha[p] >= 0.99) continue;
      errBefore += Math.abs(mask[p] - trueAlpha[p]); errAfter += Math.abs(out[p] - trueAlpha[p]); n++;
      if (out[p] < 1) colourErr += Math.abs(fg[3 * p] - fgc[0]);
    }
    expect(n).toBeGreaterThan(200);
    expect(errBefore / n).toBeGreaterThan(0.3);
    expect(errAfter / n).toBeLessThan(0.12);
    expect(colourErr / n).toBeLessThan(12);
    // The inside, past the rings, is kept.
    expect(out[40 * w + 40]).toBe(1);
  });

  it('narrows over a blur as wide as a large picture\'s (a fast arm in a 1080p frame), not only its outer 6 px', () => {
    const { img, bg, trueAlpha, mask, fg } = make(16, 960);
    const out = narrowAlpha(img, mask, fg, bg);
    let errAfter = 0, n = 0;
    for (let p = 0; p < w * h; p++) {
      if (!mask[p] || trueAlpha[p] >= 0.99) continue;
      errAfter += Math.abs(out[p] - trueAlpha[p]); n++;
    }
    expect(n).toBeGreaterThan(20_000);
    expect(errAfter / n).toBeLessThan(0.12);
  });

  it('keeps a sharp edge\'s shading inside its outer 6 px, however large the picture (a pale forearm against white clouds)', () => {
    // Sharp at the outline, and shaded towards the background's colour over its outer 20 px.
    const size = 960, c = size / 2, R = 0.35 * size;
    const img = new Uint8Array(size * size * 3), bg = new Uint8Array(size * size * 3), mask = new Float32Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const p = y * size + x, r = Math.hypot(x - c, y - c);
        mask[p] = r <= R ? 1 : 0;
        const shade = r <= R ? 0.5 * Math.min(1, Math.max(0, (r - (R - 20)) / 20)) : 1;
        for (let ch = 0; ch < 3; ch++) { bg[3 * p + ch] = bgc[ch]; img[3 * p + ch] = Math.round((1 - shade) * fgc[ch] + shade * bgc[ch]); }
      }
    }
    const fg = new Float32Array(size * size * 3);
    for (let p = 0; p < size * size; p++) for (let ch = 0; ch < 3; ch++) fg[3 * p + ch] = img[3 * p + ch];
    const out = narrowAlpha({ width: size, height: size, channels: 3, data: img }, mask, fg, { width: size, height: size, channels: 3, data: bg });
    let deepLowered = 0;
    for (let p = 0; p < size * size; p++) {
      const r = Math.hypot((p % size) - c, Math.floor(p / size) - c);
      if (r <= R - 8 && out[p] < 0.99) deepLowered++;
    }
    expect(deepLowered).toBe(0);
  });

  it('leaves a sharp edge as it is', () => {
    const { img, bg, mask, fg } = make(0);
    expect(Array.from(narrowAlpha(img, mask, fg, bg))).toEqual(Array.from(mask));
  });
});

describe('widenAlpha', () => {
  it('carries a mask that ends sharper than the picture\'s blurred edge out over the rest of it', () => {
    // A dark disc whose edge is blurred over 6 px in the picture; the mask given ramps over 1 px only.
    const w = 80, h = 80, fg = [40, 30, 20];
    const img = new Uint8Array(w * h * 3), bg = new Uint8Array(w * h * 3);
    const trueAlpha = new Float32Array(w * h), mask = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x, r = Math.hypot(x - 40, y - 40);
        const a = Math.min(1, Math.max(0, (25 - r) / 6 + 0.5));
        trueAlpha[p] = a;
        mask[p] = Math.min(1, Math.max(0, 25 - r + 0.5));
        const b = [90 + x, 200, 230 - y];
        for (let c = 0; c < 3; c++) { bg[3 * p + c] = b[c]; img[3 * p + c] = Math.round(a * fg[c] + (1 - a) * b[c]); }
      }
    }
    const image = { width: w, height: h, channels: 3 as const, data: img };
    const background = { width: w, height: h, channels: 3 as const, data: bg };
    const fgEstimate = new Float32Array(w * h * 3);
    for (let p = 0; p < w * h; p++) for (let c = 0; c < 3; c++) fgEstimate[3 * p + c] = mask[p] > 0.5 ? img[3 * p + c] : fg[c];
    const wide = widenAlpha(image, { width: w, height: h, data: mask }, fgEstimate, background);
    // Drawn over the background, the widened edge is the picture's; the mask as given loses its outer half.
    let errNarrow = 0, errWide = 0, widened = 0;
    for (let p = 0; p < w * h; p++) {
      if (mask[p] > 0.02) { expect(wide[p]).toBe(mask[p]); continue; }
      const r = Math.hypot((p % w) - 40, Math.floor(p / w) - 40);
      if (r > 25 + 4.5 || trueAlpha[p] === 0) expect(wide[p], `alpha at r=${r.toFixed(1)}`).toBe(0);
      if (trueAlpha[p] < 0.05 || r > 25 + 3) continue;
      widened++;
      for (let c = 0; c < 3; c++) {
        const drawn = wide[p] * fgEstimate[3 * p + c] + (1 - wide[p]) * bg[3 * p + c];
        errWide += Math.abs(drawn - img[3 * p + c]);
        errNarrow += Math.abs(bg[3 * p + c] - img[3 * p + c]);
      }
    }
    expect(errWide / (3 * widened)).toBeLessThan(4);
    expect(errNarrow / (3 * widened)).toBeGreaterThan(20);
    expect(widened).toBeGreaterThan(100);
  });
});

