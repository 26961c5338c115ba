/**
 * Pure pieces of bench/loss-map.ts: where the output's SSIM is lost against the frozen first frame.
 * Map positions are split by the frozen frame's own SSIM there: "still" (the video has not changed
 * since its first frame, frozen ≥ 0.9) and "moving" (frozen < 0.3). A good engine matches frozen
 * where the video is still and beats it where it moves.
 */
import type { LumaImage } from './ssim.js';

export const STILL_FROM = 0.9;
export const MOVING_BELOW = 0.3;

export interface SplitSums { still: { out: number; frozen: number; n: number }; moving: { out: number; frozen: number; n: number }; positions: number }

export function emptySums(): SplitSums {
  return { still: { out: 0, frozen: 0, n: 0 }, moving: { out: 0, frozen: 0, n: 0 }, positions: 0 };
}

/**
 * Adds one frame's SSIM maps (same size) to `sums`, and to `loss` (one value per map position) how
 * much the output falls short of frozen at still positions.
 */
export function addSplit(sums: SplitSums, out: LumaImage, frozen: LumaImage, loss: Float64Array): void {
  if (out.data.length !== frozen.data.length || loss.length !== out.data.length) throw new RangeError('addSplit: maps differ in size');
  for (let i = 0; i < out.data.length; i++) {
    const f = frozen.data[i], o = out.data[i];
    if (f >= STILL_FROM) {
      sums.still.out += o; sums.still.frozen += f; sums.still.n++;
      loss[i] += Math.max(0, f - o);
    } else if (f < MOVING_BELOW) {
      sums.moving.out += o; sums.moving.frozen += f; sums.moving.n++;
    }
  }
  sums.positions += out.data.length;
}

/** Means and shares of the positions seen (NaN where a class is empty). */
export function splitFigures(s: SplitSums): { still: { out: number; frozen: number; share: number }; moving: { out: number; frozen: number; share: number } } {
  const of = (c: { out: number; frozen: number; n: number }) => ({ out: c.out / c.n, frozen: c.frozen / c.n, share: c.n / s.positions });
  return { still: of(s.still), moving: of(s.moving) };
}
