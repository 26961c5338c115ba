import { describe, expect, it } from 'vitest';
import { errorByOffset, frameError, jitter, meanError, swapSides } from '../../bench/limb-angles.js';
import type { Pose } from '../../src/engine/types.js';

function pose(points: [number, number][]): Pose {
  return points.map(([x, y]) => ({ x, y, score: 0.9 }));
}
const base: [number, number][] = [
  [50, 10], [48, 8], [52, 8], [45, 9], [55, 9], [40, 20], [60, 20], [35, 35], [65, 35], [30, 50], [70, 50],
  [45, 55], [55, 55], [44, 75], [56, 75], [43, 95], [57, 95],
];

describe('bench limb-angle measures', () => {
  it('is zero for the same pose and for a side-swapped labelling of it', () => {
    const p = pose(base);
    expect(frameError(p, p)).toBeCloseTo(0);
    expect(frameError(swapSides(p), p)).toBeCloseTo(0);
  });
  it('measures one limb turned by θ as θ / 8 over the 8 limbs', () => {
    const moved = base.map((q) => [...q] as [number, number]);
    moved[9] = [35 + 15, 35]; // left forearm from pointing down to pointing right
    const theta = (Math.atan2(15, -5) * 180) / Math.PI; // from pointing down-left to pointing right
    expect(meanError(pose(moved), pose(base))).toBeCloseTo(theta / 8, 3);
    // The side-swapped reading is only taken when it is closer.
    expect(frameError(pose(moved), pose(base))).toBeLessThanOrEqual(theta / 8 + 1e-9);
    expect(frameError(pose(moved), pose(base))).toBeGreaterThan(1);
  });
  it('jitter is zero for uniform motion and grows with noise', () => {
    const still = Array.from({ length: 10 }, (_, t) => pose(base.map(([x, y]) => [x + t, y])));
    expect(jitter(still)).toBeCloseTo(0);
    const noisy = Array.from({ length: 10 }, (_, t) => pose(base.map(([x, y]) => [x + (t % 2) * 2, y])));
    expect(jitter(noisy)).toBeGreaterThan(0.05);
  });
});

describe('bench timing check', () => {
  it('finds the offset at which an output sequence matches the driving one', () => {
    // A forearm swinging through a different angle every frame.
    const drv = Array.from({ length: 20 }, (_, t) => {
      const p = base.map((q) => [...q] as [number, number]);
      p[9] = [35 + 15 * Math.sin(t / 2), 35 + 15 * Math.cos(t / 2)];
      return pose(p);
    });
    const early = drv.slice(1); // the output shows at t what the video shows at t + 1
    const rows = errorByOffset(early, drv, [-1, 0, 1, 2]);
    expect(rows.map((r) => r.offset)).toEqual([-1, 0, 1, 2]);
    expect(rows[2].error).toBeCloseTo(0, 9);
    expect(rows[2].frames).toBe(19);
    expect(rows[1].error).toBeGreaterThan(1);
    expect(errorByOffset(drv, drv, [0])[0].error).toBeCloseTo(0, 9);
  });
});
