import { describe, expect, it } from 'vitest';
import { JOINTS, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';
import { castShadow } from '../../src/engine/segment/cast-shadow.js';
import type { RasterImage } from '../../src/engine/types.js';
import { figureMask, insideFigure, rng, standardFigure, type FigureSpec } from './rig-figure.js';

function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay, l2 = dx * dx + dy * dy;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/**
 * The standard figure standing on tiled ground in a 480×520 picture: its shadow runs from its left
 * foot up to the right; a red bag sits against its right foot; a building's shadow runs from its
 * right foot out of the picture on the left.
 */
function scene() {
  const base = standardFigure();
  const [ox, oy] = [80, 20];
  const f: FigureSpec = {
    ...base, width: 480, height: 520,
    torso: { x0: base.torso.x0 + ox, x1: base.torso.x1 + ox, y0: base.torso.y0 + oy, y1: base.torso.y1 + oy },
    joints: base.joints.map((v, i) => v + (i % 2 ? oy : ox)),
  };
  const j = f.joints;
  const [lx, ly] = [j[2 * J.l_ankle], j[2 * J.l_ankle + 1]];
  const [rx, ry] = [j[2 * J.r_ankle], j[2 * J.r_ankle + 1]];
  const onShadow = (x: number, y: number) => segDist(x, y, lx + 4, ly + 6, lx + 95, ly - 25) <= 11;
  const onBag = (x: number, y: number) => Math.hypot(x - (rx - 26), y - (ry + 8)) <= 14;
  const onBand = (x: number, y: number) => x < rx - 8 && y >= ry + 60 && y < ry + 80 || (x < rx + 6 && x > rx - 12 && y > ry && y < ry + 80);
  const onLine = (x: number, y: number) => x % 60 < 2 || y % 60 < 2;
  const rand = rng(5);
  const data = new Uint8Array(f.width * f.height * 3);
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const n = (rand() - 0.5) * 16;
      let rgb = y < 330 ? [200 + n, 190 + n, 185 + n] : [150 + n, 140 + n, 130 + n];
      if (y >= 330 && onLine(x, y)) rgb = rgb.map((v) => v * 0.5);
      if (y >= 330 && (onShadow(x, y) || onBand(x, y))) rgb = rgb.map((v) => v * 0.55);
      if (onBag(x, y)) rgb = [120, 20, 25];
      if (insideFigure(f, x, y)) rgb = [40, 60, 160];
      data.set(rgb.map((v) => Math.max(0, Math.min(255, Math.round(v)))), 3 * (y * f.width + x));
    }
  }
  const image: RasterImage = { width: f.width, height: f.height, channels: 3, data };
  return { f, image, onShadow, onBag, onBand, onLine };
}

describe('castShadow', () => {
  const { f, image, onShadow, onBag, onBand, onLine } = scene();
  const mask = figureMask(f);
  const present = JOINTS.map(() => true);
  const height = f.joints[2 * J.l_ankle + 1] - (f.joints[2 * J.head + 1] - f.headRadius);
  const shadow = castShadow({ image, mask, joints: f.joints, present, height })!;
  const share = (pred: (x: number, y: number) => boolean) => {
    let n = 0, k = 0;
    for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) if (pred(x, y) && !mask.data[y * f.width + x]) { n++; k += shadow.data[y * f.width + x]; }
    return n ? k / n : NaN;
  };

  it('takes the shadow cast from a foot', () => {
    expect(shadow).not.toBeNull();
    expect(share(onShadow)).toBeGreaterThan(0.95);
  });

  it('leaves a dark object of another colour, a tile\'s joint and a shadow that runs out of reach', () => {
    expect(share(onBag)).toBe(0);
    expect(share((x, y) => y >= 330 && onLine(x, y) && segDist(x, y, 270, 398, 365, 373) > 25 && !onBand(x, y))).toBe(0);
    expect(share(onBand)).toBe(0);
  });

  it('finds nothing without feet in the picture', () => {
    const noFeet = present.map((p, i) => p && i !== J.l_ankle && i !== J.r_ankle);
    expect(castShadow({ image, mask, joints: f.joints, present: noFeet, height })).toBeNull();
  });
});
