/**
 * The task worker: claims up to `workers` jobs at once, fetches URL inputs, runs the engine, moves the
 * result into storage and ends the task. A heartbeat renews each job's lease; a worker that loses its
 * lease aborts, so the task is never run to completion twice. Nothing is left stuck: a crash leaves an
 * expiring lease, and attempts beyond MAX_ATTEMPTS fail the task.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isAppError } from '../domain/errors.js';
import type { ReadyConfig } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { EngineCrashedError } from '../engine/errors.js';
import type { EngineProgress, MotionEngine } from '../engine/types.js';
import { FfmpegError } from '../media/ffmpeg.js';
import { fetchToFile } from '../media/fetch.js';
import { inspectImageFile, inspectVideoFile } from '../media/inspect.js';
import { MAX_INPUT_BYTES } from '../media/limits.js';
import { resultKeyFor, type ObjectStorage } from '../storage/object-storage.js';
import { imageFileName, inputDir, videoFileName, workDir } from './paths.js';
import { StageWatchdog, stageLabel, type WatchedStage } from './deadlines.js';
import { bandPercent, etaFromRate, ProgressThrottle } from './progress.js';
import { ENGINE_FAILED_REASON, isEnded } from '../domain/task-status.js';
import type { TaskQueries } from './queries.js';
import type { JobLease, JobQueue, TaskOutcome, TaskRecord, TaskStore } from './types.js';

export class LeaseLostError extends Error {
  constructor() { super('the job lease was lost'); this.name = 'LeaseLostError'; }
}
export class ShutdownError extends Error {
  constructor() { super('the worker is shutting down'); this.name = 'ShutdownError'; }
}
/** The task ended while it ran (cancelled by its client). */
export class TaskEndedError extends Error {
  constructor() { super('the task ended while it ran'); this.name = 'TaskEndedError'; }
}

/** Failures of ours that another attempt may not meet: a dead engine process, an ffmpeg that could not run or timed out. */
function isRetryable(err: unknown): boolean {
  return err instanceof EngineCrashedError || (err instanceof FfmpegError && err.exitCode === null);
}

/** `work`, or its signal's reason as soon as it aborts: an engine that ignores its signal does not hold the worker. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** An unexpected engine failure, naming the stage it was in. */
function engineFailedReason(stage: WatchedStage): string {
  return `${ENGINE_FAILED_REASON} in its ${stageLabel(stage)} stage`;
}

export interface WorkerDeps {
  config: ReadyConfig;
  tasks: TaskStore;
  queue: JobQueue;
  storage: ObjectStorage;
  engine: MotionEngine;
  /** Records the clip length a URL input turned out to have (for queue ETAs). */
  queries?: Pick<TaskQueries, 'setVideoDuration'>;
  logger: Logger;
  now?: () => number;
  /** How long to wait between empty claims. */
  pollIntervalMs?: number;
  /** Progress writes at most this often. */
  progressIntervalMs?: number;
  /** A running task's status is read this often, so a cancel stops it within about this long. */
  cancelPollMs?: number;
}

export class TaskWorker {
  private readonly running = new Map<string, { promise: Promise<void>; abort: AbortController; taskId: string }>();
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** A notify() that came while the loop was not sleeping. */
  private woken = false;
  private readonly now: () => number;
  private readonly leaseMs: number;

  constructor(private readonly d: WorkerDeps) {
    this.now = d.now ?? Date.now;
    this.leaseMs = d.config.leaseS * 1000;
  }

  get activeCount(): number {
    return this.running.size;
  }

  start(): void {
    if (this.loopDone) return;
    this.loopDone = this.loop();
  }

  /** The task was cancelled: stop its engine now rather than at the next status poll. */
  cancel(taskId: string): void {
    for (const r of this.running.values()) if (r.taskId === taskId) r.abort.abort(new TaskEndedError());
  }

  /** A job may be waiting: claim now instead of at the next poll. */
  notify(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /** Stops claiming; lets running tasks finish within `graceMs`, then aborts them (their jobs go back to the queue). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.notify();
    await this.loopDone;
    const all = () => Promise.all([...this.running.values()].map((r) => r.promise));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), graceMs); }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      for (const r of this.running.values()) r.abort.abort(new ShutdownError());
      await all();
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) { this.woken = false; return Promise.resolve(); }
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() { clearTimeout(t); resolve(); }
      this.wakeUp = () => { this.wakeUp = null; done(); };
    });
  }

  private async loop(): Promise<void> {
    const poll = this.d.pollIntervalMs ?? 500;
    while (!this.stopping) {
      if (this.running.size >= this.d.config.workers) { await this.sleep(poll); continue; }
      let lease: JobLease | null = null;
      try {
        lease = await this.d.queue.claim(this.now(), this.leaseMs, this.d.config.maxAttempts);
      } catch (err) {
        this.d.logger.error({ err }, 'claiming a job failed');
      }
      if (!lease) { await this.sleep(poll); continue; }
      const abort = new AbortController();
      const taken = lease;
      const promise = this.runJob(taken, abort).finally(() => { this.running.delete(taken.jobId); this.notify(); });
      this.running.set(taken.jobId, { promise, abort, taskId: taken.taskId });
    }
  }

  private async runJob(lease: JobLease, abort: AbortController): Promise<void> {
    const log = this.d.logger.child({ taskId: lease.taskId, attempt: lease.attempt });
    const beat = setInterval(() => {
      void this.d.queue.heartbeat(lease, this.now(), this.leaseMs).then(
        (ok) => { if (!ok) abort.abort(new LeaseLostError()); },
        (err: unknown) => log.warn({ err }, 'heartbeat failed'),
      );
    }, Math.max(250, Math.floor(this.leaseMs / 3)));
    // A task ended from outside (cancel) stops here within one poll, whichever process took the cancel.
    const watch = setInterval(() => {
      void this.d.tasks.getTaskStatus(lease.taskId).then(
        (t) => { if (!t || isEnded(t.status)) abort.abort(new TaskEndedError()); },
        () => undefined,
      );
    }, this.d.cancelPollMs ?? 500);
    try {
      const task = await this.d.tasks.getTask(lease.taskId);
      if (!task || isEnded(task.status)) { await this.d.queue.complete(lease); return; }
      await this.d.tasks.markProcessing(task.id, this.now());
      log.info('task started');
      const stage: { current: WatchedStage } = { current: 'start' };
      let outcome: TaskOutcome;
      try {
        outcome = await this.process(task, abort.signal, log, stage);
      } catch (err) {
        const why = abort.signal.reason as unknown;
        if (why instanceof ShutdownError) { await this.d.queue.release(lease); log.info('task handed back (shutdown)'); return; }
        if (why instanceof LeaseLostError) { log.warn('lease lost; another worker has the task'); return; }
        if (why instanceof TaskEndedError) { await this.d.queue.complete(lease); log.info('task ended while running (cancelled); engine stopped'); return; }
        if (isRetryable(err) && lease.attempt < this.d.config.maxAttempts) {
          // Like a worker that died: another attempt, at once rather than after the lease.
          await this.d.queue.retry(lease);
          log.warn({ err: (err as Error).message }, 'engine process died; the task will be tried again');
          return;
        }
        if (isAppError(err)) outcome = { status: 'FAILED', reason: err.toTaskReason(), completeMs: this.now() };
        else if (isRetryable(err)) {
          outcome = { status: 'FAILED', reason: `INTERNAL_ERROR: ${(err as Error).message} (${lease.attempt} attempts); try again`, completeMs: this.now() };
        } else {
          log.error({ err, stage: stage.current }, 'engine failed');
          outcome = { status: 'FAILED', reason: engineFailedReason(stage.current), completeMs: this.now() };
        }
      }
      if (abort.signal.aborted && (abort.signal.reason instanceof LeaseLostError || abort.signal.reason instanceof TaskEndedError)) return;
      await this.d.tasks.finishTask(task.id, outcome);
      await this.d.queue.complete(lease);
      log.info({ status: outcome.status, reason: outcome.status === 'FAILED' ? outcome.reason : undefined }, 'task ended');
    } catch (err) {
      // Store trouble: the lease will expire and the job will be tried again.
      log.error({ err }, 'task bookkeeping failed');
    } finally {
      clearInterval(beat);
      clearInterval(watch);
      await rm(workDir(this.d.config.dataDir, lease.taskId), { recursive: true, force: true }).catch(() => {});
    }
  }

  private async process(task: TaskRecord, signal: AbortSignal, log: Logger, stage: { current: WatchedStage }): Promise<TaskOutcome> {
    const startMs = this.now();
    const throttle = new ProgressThrottle(task.progress, this.now, this.d.progressIntervalMs ?? 500);
    const report = (percent: number, etaS?: number) => {
      const w = throttle.offer(percent, etaS);
      if (w) void this.d.tasks.updateProgress(task.id, w.percent, w.etaS).catch((err: unknown) => log.warn({ err }, 'progress write failed'));
    };
    const c = this.d.config;
    const dir = inputDir(c.dataDir, task.id);
    await mkdir(dir, { recursive: true });
    const fetchOpts = {
      allowHosts: c.allowHosts, maxBytes: MAX_INPUT_BYTES, connectTimeoutMs: c.fetchConnectTimeoutMs,
      totalTimeoutMs: c.fetchTimeoutMs, maxRedirects: c.fetchMaxRedirects, signal,
    };

    let imagePath: string;
    if (task.image.kind === 'file') imagePath = task.image.path;
    else {
      const dest = path.join(dir, 'image.download');
      await fetchToFile('image', task.image.url, dest, fetchOpts);
      report(bandPercent('fetch', 0.5));
      const info = await inspectImageFile(dest);
      imagePath = path.join(dir, imageFileName(info.format));
      await rename(dest, imagePath);
    }
    let videoPath: string;
    let clipS = task.videoDurationS ?? null;
    if (task.video.kind === 'file') videoPath = task.video.path;
    else {
      const dest = path.join(dir, 'video.download');
      await fetchToFile('video', task.video.url, dest, fetchOpts);
      report(bandPercent('fetch', 1));
      const info = await inspectVideoFile(dest, task.orientation);
      videoPath = path.join(dir, videoFileName(info.container));
      await rename(dest, videoPath);
      clipS = info.durationS;
      await this.d.queries?.setVideoDuration(task.id, clipS);
    }
    // A row from before durations were recorded: measure it (the deadlines scale with it).
    clipS ??= (await inspectVideoFile(videoPath, task.orientation)).durationS;
    report(bandPercent('inspect', 1));
    signal.throwIfAborted();

    const scratch = workDir(c.dataDir, task.id);
    await mkdir(scratch, { recursive: true });
    const engineStart = this.now();
    // The engine is stopped by the job's abort or by a stage outliving its deadline, whichever comes first.
    const engineAbort = new AbortController();
    const forward = () => engineAbort.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    const watchdog = new StageWatchdog({ stageMs: c.stageDeadlineMs, perClipSecondMs: c.stageDeadlinePerClipSecondMs }, clipS,
      (err) => { log.error({ stage: watchdog.current, reason: err.message }, 'engine stage deadline passed'); engineAbort.abort(err); });
    let result;
    try {
      result = await untilAborted(this.d.engine.animate({
        imagePath, videoPath, outputPath: path.join(scratch, 'output.mp4'), orientation: task.orientation,
        keepOriginalSound: task.keepOriginalSound, prompt: task.prompt || undefined, negativePrompt: task.negativePrompt || undefined,
      }, (p: EngineProgress) => {
        watchdog.enter(p.stage);
        stage.current = p.stage;
        report(bandPercent('engine', p.fraction), p.etaSeconds ?? etaFromRate(this.now() - engineStart, p.fraction));
      }, engineAbort.signal), engineAbort.signal);
    } catch (err) {
      // The deadline's own error names the stage; an engine that ignores its signal is not waited for.
      throw engineAbort.signal.aborted && !signal.aborted ? engineAbort.signal.reason as Error : err;
    } finally {
      watchdog.stop();
      signal.removeEventListener('abort', forward);
    }
    signal.throwIfAborted();
    const key = resultKeyFor(task.id);
    await this.d.storage.putFile(key, result.outputPath);
    log.info({ ms: this.now() - startMs, frames: result.frameCount, timings: result.timings }, 'engine done');
    return { status: 'SUCCEED', resultKey: key, completeMs: this.now() };
  }
}
