/**
 * Turns stage progress into the task's progress_percent and ETA, and decides when to persist them:
 * monotonic integers, at most one write per `minIntervalMs` (pure apart from the injected clock).
 */

/** Percent bands: fetching and inspecting inputs are quick; the engine gets the rest. 100 is SUCCEED only. */
export const BANDS = { fetch: [0, 3], inspect: [3, 5], engine: [5, 99] } as const;
export type ProgressBand = keyof typeof BANDS;

export function bandPercent(band: ProgressBand, fraction: number): number {
  const [lo, hi] = BANDS[band];
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  return Math.floor(lo + f * (hi - lo));
}

/** ETA from the measured rate: time spent so far over the fraction done. */
export function etaFromRate(elapsedMs: number, fraction: number): number | undefined {
  if (fraction <= 0.01 || elapsedMs <= 0) return undefined;
  return Math.max(0, Math.round((elapsedMs / fraction) * (1 - fraction) / 1000));
}

export interface ProgressWrite { percent: number; etaS: number }

export class ProgressThrottle {
  private percent: number;
  private etaS = 0;
  private lastWriteMs = Number.NEGATIVE_INFINITY;
  private dirty = false;

  constructor(initialPercent: number, private readonly now: () => number, private readonly minIntervalMs = 500) {
    this.percent = Math.max(0, Math.min(99, Math.floor(initialPercent)));
  }

  /** Records a reading; returns what to persist now, or null (too soon, or nothing changed). */
  offer(percent: number, etaS: number | undefined): ProgressWrite | null {
    const p = Math.min(99, Math.floor(percent));
    if (p > this.percent) { this.percent = p; this.dirty = true; }
    if (etaS !== undefined && Math.abs(etaS - this.etaS) >= 1) { this.etaS = Math.max(0, Math.round(etaS)); this.dirty = true; }
    if (!this.dirty || this.now() - this.lastWriteMs < this.minIntervalMs) return null;
    this.dirty = false;
    this.lastWriteMs = this.now();
    return { percent: this.percent, etaS: this.etaS };
  }

  get current(): ProgressWrite {
    return { percent: this.percent, etaS: this.etaS };
  }
}
