import { describe, expect, it } from 'vitest';
import { gainShare, personBox, summarise } from '../../bench/scores.js';
import type { Pose } from '../../src/engine/types.js';

function pose(score: number): Pose {
  // A standing figure 100 px tall (eyes at y 60, ankles at y 160), centred on x 50.
  const pts: [number, number][] = [
    [50, 12], [48, 10], [52, 10], [45, 11], [55, 11], [40, 25], [60, 25], [35, 45], [65, 45], [30, 65], [70, 65],
    [45, 65], [55, 65], [44, 88], [56, 88], [43, 110], [57, 110],
  ];
  return pts.map(([x, y]) => ({ x, y: y + 50, score }));
}

describe('bench person box', () => {
  it('pads the keypoints (more above, for the head) and scales them to the compared frame', () => {
    expect(personBox(pose(0.9), 1, 1000, 1000)).toEqual({ x0: 20, x1: 80, y0: 30, y1: 170 });
    expect(personBox(pose(0.9), 2, 1000, 1000)).toEqual({ x0: 40, x1: 160, y0: 60, y1: 340 });
  });
  it('is clamped to the frame and absent without a torso', () => {
    expect(personBox(pose(0.9), 1, 70, 165)).toEqual({ x0: 20, x1: 70, y0: 30, y1: 165 });
    expect(personBox(pose(0.9), 0.25, 1000, 1000)!.y0).toBe(7.5);
    expect(personBox(pose(0.1), 1, 1000, 1000)).toBeNull();
  });
});

describe('bench gain and summaries', () => {
  it('gain is 0 at the frozen baseline, 1 when perfect, negative when worse', () => {
    expect(gainShare(0.6, 0.6)).toBe(0);
    expect(gainShare(1, 0.6)).toBe(1);
    expect(gainShare(0.7, 0.6)).toBeCloseTo(0.25, 12);
    expect(gainShare(0.5, 0.6)).toBeLessThan(0);
  });
  it('a failed pair stays in the mean at the value it counts as, and is listed', () => {
    const s = summarise([
      { pair: 'a', value: 4 }, { pair: 'b', value: 12 }, { pair: 'c', failed: 'boom', countsAs: 20 },
    ]);
    expect(s.mean).toBeCloseTo(12, 12);
    expect(s.max).toBe(20);
    expect(s.maxPair).toBe('c');
    expect(s.n).toBe(3);
    expect(s.failures).toEqual(['c: boom']);
  });
  it('reports the largest figure and its pair when nothing failed', () => {
    const s = summarise([{ pair: 'a', value: 0.3 }, { pair: 'b', value: 0.1 }]);
    expect([s.mean, s.max, s.maxPair, s.failures.length]).toEqual([0.2, 0.3, 'a', 0]);
  });
});
