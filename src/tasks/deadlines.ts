/**
 * Deadlines for the engine's stages, scaled to the clip, and a watchdog that fires when a stage outlives its
 * deadline. Heartbeats keep a job's lease alive however long it runs, so without these a hung pose thread,
 * ffmpeg or engine child would hold its task PROCESSING forever.
 */
import { AppError } from '../domain/errors.js';
import type { EngineStage } from '../engine/types.js';

/** Before the engine's first report it is starting its process and loading models. */
export type WatchedStage = EngineStage | 'start';

export interface DeadlinePolicy {
  /** Every stage gets this long… */
  stageMs: number;
  /** …plus this much per second of the clip. */
  perClipSecondMs: number;
}

const STAGE_LABEL: Record<WatchedStage, string> = {
  start: 'start (loading models)',
  probe: 'probe',
  character: 'character analysis',
  motion: 'motion (pose tracking)',
  retarget: 'retarget',
  render: 'render and encode',
};

export function stageLabel(stage: WatchedStage): string {
  return STAGE_LABEL[stage];
}

/** The time one stage may take (pure). */
export function stageDeadlineMs(p: DeadlinePolicy, clipS: number): number {
  return Math.round(p.stageMs + p.perClipSecondMs * Math.max(0, clipS));
}

/** The time the whole engine run may take: less than every stage at its limit (pure). */
export function engineDeadlineMs(p: DeadlinePolicy, clipS: number): number {
  return Math.round(2 * p.stageMs + 2 * p.perClipSecondMs * Math.max(0, clipS));
}

export function stageTimeoutError(stage: WatchedStage | 'whole run', ms: number, clipS: number): AppError {
  const what = stage === 'whole run' ? 'the engine did not finish' : `the engine's ${stageLabel(stage)} stage did not finish`;
  return new AppError('INTERNAL_ERROR', `${what} within ${Math.round(ms / 1000)} s (the deadline for a ${clipS.toFixed(1)} s clip); it was stopped`,
    { stage, limit: Math.round(ms / 1000), unit: 's' });
}

/**
 * Calls `expire` once when the current stage, or the whole run, outlives its deadline. `enter(stage)` on every
 * progress report restarts the stage clock only when the stage changes.
 */
export class StageWatchdog {
  private stage: WatchedStage = 'start';
  private stageTimer: NodeJS.Timeout | undefined;
  private readonly totalTimer: NodeJS.Timeout;
  private fired = false;

  constructor(private readonly policy: DeadlinePolicy, private readonly clipS: number, private readonly expire: (err: AppError) => void) {
    const total = engineDeadlineMs(policy, clipS);
    this.totalTimer = setTimeout(() => this.fire(stageTimeoutError('whole run', total, clipS)), total);
    this.arm();
  }

  enter(stage: WatchedStage): void {
    if (stage === this.stage || this.fired) return;
    this.stage = stage;
    this.arm();
  }

  get current(): WatchedStage {
    return this.stage;
  }

  stop(): void {
    clearTimeout(this.stageTimer);
    clearTimeout(this.totalTimer);
  }

  private arm(): void {
    clearTimeout(this.stageTimer);
    const ms = stageDeadlineMs(this.policy, this.clipS);
    const stage = this.stage;
    this.stageTimer = setTimeout(() => this.fire(stageTimeoutError(stage, ms, this.clipS)), ms);
  }

  private fire(err: AppError): void {
    if (this.fired) return;
    this.fired = true;
    this.stop();
    this.expire(err);
  }
}
