/**
 * Overall progress and ETA from the engine's real stages. Each stage owns a share of the bar
 * proportional to its typical cost; the ETA comes from the throughput measured so far.
 */
import type { EngineProgress, EngineStage } from './types.js';

/** Share of total wall time each stage typically takes (measured on the fixtures). */
export const STAGE_WEIGHTS: Record<EngineStage, number> = {
  probe: 0.02, character: 0.08, motion: 0.4, retarget: 0.02, render: 0.48,
};
const ORDER: EngineStage[] = ['probe', 'character', 'motion', 'retarget', 'render'];

export class ProgressTracker {
  private last = 0;
  private readonly started: number;

  constructor(private readonly emit: (p: EngineProgress) => void, private readonly now: () => number = () => Date.now()) {
    this.started = now();
  }

  /** Reports `done` of stage `stage` (0..1). Never goes backwards. */
  report(stage: EngineStage, done: number): void {
    let before = 0;
    for (const s of ORDER) {
      if (s === stage) break;
      before += STAGE_WEIGHTS[s];
    }
    const fraction = Math.min(0.999, Math.max(this.last, before + STAGE_WEIGHTS[stage] * Math.min(1, Math.max(0, done))));
    this.last = fraction;
    const elapsedS = (this.now() - this.started) / 1000;
    // Extrapolate once enough work is done for the rate to mean something.
    const etaSeconds = fraction > 0.05 && elapsedS > 0.5 ? Math.max(0, Math.round((elapsedS / fraction) * (1 - fraction))) : undefined;
    this.emit({ stage, fraction, etaSeconds });
  }
}
