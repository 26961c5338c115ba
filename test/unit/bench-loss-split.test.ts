import { describe, expect, it } from 'vitest';
import { addSplit, emptySums, splitFigures } from '../../bench/loss-split.js';

const map = (...v: number[]) => ({ width: v.length, height: 1, data: Float64Array.from(v) });

describe('bench loss split', () => {
  it('splits positions by the frozen SSIM and counts the loss only where the video is still', () => {
    const sums = emptySums();
    const loss = new Float64Array(4);
    // frozen: still, still, moving, in between
    addSplit(sums, map(0.9, 1, 0.5, 0.5), map(0.95, 0.92, 0.1, 0.6), loss);
    const f = splitFigures(sums);
    expect(f.still.share).toBeCloseTo(0.5);
    expect(f.still.out).toBeCloseTo(0.95);
    expect(f.still.frozen).toBeCloseTo(0.935);
    expect(f.moving.share).toBeCloseTo(0.25);
    expect(f.moving.out).toBeCloseTo(0.5);
    // Loss at the first position only: the second beats frozen, the others are not still.
    expect(Array.from(loss).map((v) => +v.toFixed(6))).toEqual([0.05, 0, 0, 0]);
  });

  it('refuses maps of different sizes', () => {
    expect(() => addSplit(emptySums(), map(1, 1), map(1), new Float64Array(2))).toThrow(RangeError);
  });
});
