import { describe, expect, it } from 'vitest';
import { pyramid, regionShift, type GreyImage } from '../../src/engine/pose/register.js';

const W = 160, H = 120;
/** A smooth random texture (sums of sinusoids) seen shifted by (sx, sy): pixel p shows the texture at p − s. */
function textured(sx: number, sy: number, o: { flat?: boolean; bar?: number } = {}): GreyImage {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const u = x - sx, v = y - sy;
      let g = 128;
      if (!o.flat) g += 40 * Math.sin(u * 0.31 + 0.7 * Math.sin(v * 0.13)) + 30 * Math.cos(v * 0.27 + u * 0.05) + 20 * Math.sin((u + v) * 0.19);
      // A bar that does not move with the texture (an arm across the chest).
      if (o.bar !== undefined && x >= o.bar && x < o.bar + 10) g = 250;
      data[y * W + x] = Math.max(0, Math.min(255, Math.round(g)));
    }
  }
  return { width: W, height: H, data };
}
const region = { x0: 50, y0: 35, x1: 110, y1: 85 };

describe('regionShift', () => {
  it('finds a sub-pixel translation to a tenth of a pixel, from a guess several pixels off', () => {
    const a = pyramid(textured(0, 0)), b = pyramid(textured(3.4, -2.7));
    const s = regionShift(a, b, region, { dx: 0, dy: 0 })!;
    expect(s.dx).toBeCloseTo(3.4, 1);
    expect(s.dy).toBeCloseTo(-2.7, 1);
  });

  it('is not pulled by a bar that stays still across the region', () => {
    const a = pyramid(textured(0, 0, { bar: 70 })), b = pyramid(textured(1.5, 1, { bar: 70 }));
    const s = regionShift(a, b, region, { dx: 0, dy: 0 })!;
    expect(Math.abs(s.dx - 1.5)).toBeLessThan(0.25);
    expect(Math.abs(s.dy - 1)).toBeLessThan(0.25);
  });

  it('keeps the guess where the region has no texture, and refuses frames that do not match', () => {
    const flat = pyramid(textured(0, 0, { flat: true }));
    const s = regionShift(flat, flat, region, { dx: 2, dy: -1 })!;
    expect(s.dx).toBeCloseTo(2, 6);
    expect(s.dy).toBeCloseTo(-1, 6);
    const other: GreyImage = { width: W, height: H, data: textured(0, 0).data.map((v) => 255 - v) };
    expect(regionShift(pyramid(textured(0, 0)), pyramid(other), region, { dx: 0, dy: 0 })).toBeNull();
  });
});
