import { describe, expect, it } from 'vitest';
import { makeCharacterTexture } from '../../src/engine/render/index.js';
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
