/**
 * The task handler: what one attempt at a task does — fetch URL inputs, inspect, run the engine under
 * per-stage deadlines, upload the result, end the task. Every write that matters is fenced by the attempt's
 * lease token, so an attempt whose lease was taken over can neither upload over nor end a task another
 * attempt now holds. Scratch space is per attempt and removed when the attempt ends.
 */
import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { isAppError } from '../domain/errors.js';
import { ENGINE_FAILED_REASON, isEnded } from '../domain/task-status.js';
import type { ReadyConfig } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { EngineCrashedError } from '../engine/errors.js';
import type { EngineProgress, MotionEngine } from '../engine/types.js';
import { FfmpegError } from '../media/ffmpeg.js';
import type { MediaField } from '../media/decode-input.js';
import { fetchToFile, type FetchOptions } from '../media/fetch.js';
import { inspectImageFile, inspectVideoFile } from '../media/inspect.js';
import { MAX_INPUT_BYTES } from '../media/limits.js';
import { inputKeyFor, resultKeyFor, type ObjectStorage } from '../storage/object-storage.js';
import { StageWatchdog, stageLabel, type WatchedStage } from './deadlines.js';
import type { JobEnd, JobHandler, JobStages } from './job-runner.js';
import { attemptDir, workDir } from './paths.js';
import { SlotWaitTimeoutError } from './slots.js';
import { bandPercent, etaFromRate, ProgressThrottle } from './progress.js';
import type { TaskQueries } from './queries.js';
import type { JobLease, TaskOutcome, TaskRecord, TaskStore } from './types.js';

/** The task ended while it ran (cancelled by its client). */
export class TaskEndedError extends Error {
  constructor() { super('the task ended while it ran'); this.name = 'TaskEndedError'; }
}

/** This attempt no longer holds the task (a later attempt took it over): its result is dropped. */
export class FenceLostError extends Error {
  constructor() { super('another attempt holds the task now'); this.name = 'FenceLostError'; }
}

export interface TaskHandlerDeps {
  config: ReadyConfig;
  tasks: TaskStore;
  storage: ObjectStorage;
  engine: MotionEngine;
  /** Records the clip length a URL input turned out to have (for queue ETAs). */
  queries?: Pick<TaskQueries, 'setVideoDuration'>;
  now?: () => number;
  /** Progress writes at most this often. */
  progressIntervalMs?: number;
  /** A running task's status is read this often, so a cancel stops it within about this long. */
  cancelPollMs?: number;
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

export function createTaskHandler(d: TaskHandlerDeps): JobHandler {
  const now = d.now ?? Date.now;
  return async (lease, signal, log, stages): Promise<JobEnd> => {
    const task = await d.tasks.getTask(lease.taskId);
    if (!task || isEnded(task.status)) return 'complete';
    if (!(await d.tasks.markProcessing(task.id, now(), lease.token))) return 'complete';
    log.info('task started');
    // A task ended from outside (cancel) stops here within one poll, whichever process took the cancel.
    const watch = setInterval(() => {
      void d.tasks.getTaskStatus(lease.taskId).then(
        (t) => { if (!t || isEnded(t.status)) abortFor(new TaskEndedError()); },
        () => undefined,
      );
    }, d.cancelPollMs ?? 500);
    const own = new AbortController();
    const abortFor = (reason: unknown) => { if (!own.signal.aborted) own.abort(reason); };
    const forward = () => abortFor(signal.reason);
    if (signal.aborted) forward(); else signal.addEventListener('abort', forward, { once: true });
    const scratch = attemptDir(d.config.dataDir, task.id, lease.attempt, lease.token);
    const stage: { current: WatchedStage } = { current: 'start' };
    let outcome: TaskOutcome;
    try {
      try {
        outcome = await runAttempt(d, now, task, lease, scratch, own.signal, log, stage, stages);
      } catch (err) {
        if (own.signal.reason instanceof TaskEndedError) { log.info('task ended while running (cancelled); engine stopped'); return 'complete'; }
        if (own.signal.aborted) throw own.signal.reason;
        if (err instanceof FenceLostError) { log.warn('another attempt holds the task now: result dropped'); return 'complete'; }
        if (err instanceof SlotWaitTimeoutError) { log.warn(`${err.message}: the job goes back to the queue (its inputs are stored)`); return 'release'; }
        if (isRetryable(err) && lease.attempt < d.config.maxAttempts) {
          // Like a worker that died: another attempt, at once rather than after the lease.
          log.warn({ err: (err as Error).message }, 'engine process died; the task will be tried again');
          return 'retry';
        }
        if (isAppError(err)) outcome = { status: 'FAILED', reason: err.toTaskReason(), completeMs: now() };
        else if (isRetryable(err)) {
          outcome = { status: 'FAILED', reason: `INTERNAL_ERROR: ${(err as Error).message} (${lease.attempt} attempts); try again`, completeMs: now() };
        } else {
          log.error({ err, stage: stage.current }, 'engine failed');
          outcome = { status: 'FAILED', reason: engineFailedReason(stage.current), completeMs: now() };
        }
      }
    } finally {
      clearInterval(watch);
      signal.removeEventListener('abort', forward);
      // Scratch goes before the task ends, so nothing of this attempt is left once its end is visible.
      await rm(scratch, { recursive: true, force: true }).catch(() => {});
      // The task's folder goes too once no other attempt is using it (rmdir refuses a non-empty one).
      await rmdir(workDir(d.config.dataDir, task.id)).catch(() => {});
    }
    if (own.signal.reason instanceof TaskEndedError) return 'complete';
    own.signal.throwIfAborted();
    if (await d.tasks.finishTask(task.id, outcome, lease.token)) {
      log.info({ status: outcome.status, reason: outcome.status === 'FAILED' ? outcome.reason : undefined }, 'task ended');
    } else {
      log.warn('task not ended by this attempt: another attempt holds it, or it had already ended');
    }
    return 'complete';
  };
}

/** An input in this attempt's scratch, with the clip length when this attempt measured it. */
interface LocalInput { path: string; durationS?: number }

/**
 * One input into this attempt's scratch. A URL is fetched, inspected and written to object storage as a base64
 * input is at submit; the task then names the object (fenced: only the attempt holding the task), so a later
 * attempt, on any machine, reads it from storage and never fetches again.
 */
async function prepareInput(d: TaskHandlerDeps, task: TaskRecord, field: MediaField, lease: JobLease, scratch: string,
  fetchOpts: FetchOptions, stages: JobStages, onFetched: () => void): Promise<LocalInput> {
  const input = field === 'image' ? task.image : task.video;
  // in_<id>_image.png → image.png (the id may hold '_'; the field never does)
  const localOf = (key: string) => path.join(scratch, key.slice(key.lastIndexOf('_') + 1));
  if (input.kind === 'object') {
    const local = localOf(input.key);
    await d.storage.downloadTo(input.key, local);
    return { path: local };
  }
  const dest = path.join(scratch, `${field}.download`);
  await stages.light(() => fetchToFile(field, input.url, dest, fetchOpts));
  onFetched();
  let key: string;
  let durationS: number | undefined;
  if (field === 'image') {
    key = inputKeyFor(task.id, field, (await inspectImageFile(dest)).format === 'png' ? 'png' : 'jpg');
  } else {
    const info = await inspectVideoFile(dest, task.orientation);
    key = inputKeyFor(task.id, field, info.container === 'mov' ? 'mov' : 'mp4');
    durationS = info.durationS;
  }
  await d.storage.putFile(key, dest);
  if (!(await d.tasks.storeFetchedInput(task.id, field, { kind: 'object', key }, lease.token))) {
    // Cancelled meanwhile: nothing will read the object. Held by a later attempt: the key is its too; leave it.
    const now = await d.tasks.getTaskStatus(task.id);
    if (!now || isEnded(now.status)) await d.storage.delete(key).catch(() => undefined);
    throw new FenceLostError();
  }
  const local = localOf(key);
  await d.storage.downloadTo(key, local);
  return { path: local, durationS };
}

async function runAttempt(d: TaskHandlerDeps, now: () => number, task: TaskRecord, lease: JobLease, scratch: string,
  signal: AbortSignal, log: Logger, stage: { current: WatchedStage }, stages: JobStages): Promise<TaskOutcome> {
  const startMs = now();
  const throttle = new ProgressThrottle(task.progress, now, d.progressIntervalMs ?? 500);
  const report = (percent: number, etaS?: number) => {
    const w = throttle.offer(percent, etaS);
    if (w) void d.tasks.updateProgress(task.id, w.percent, w.etaS, lease.token).catch((err: unknown) => log.warn({ err }, 'progress write failed'));
  };
  const c = d.config;
  await mkdir(scratch, { recursive: true });
  const fetchOpts: FetchOptions = {
    allowHosts: c.allowHosts, maxBytes: MAX_INPUT_BYTES, connectTimeoutMs: c.fetchConnectTimeoutMs,
    totalTimeoutMs: c.fetchTimeoutMs, maxRedirects: c.fetchMaxRedirects, signal,
  };

  // Outside the engine slot: a slow input server holds only this job, never the engine.
  let fetched = 0;
  const onFetched = () => { fetched++; report(bandPercent('fetch', fetched / 2)); };
  const [image, video] = await Promise.allSettled([
    prepareInput(d, task, 'image', lease, scratch, fetchOpts, stages, onFetched),
    prepareInput(d, task, 'video', lease, scratch, fetchOpts, stages, onFetched),
  ]);
  // An image problem is reported first, as a person reads the form.
  if (image.status === 'rejected') throw image.reason;
  if (video.status === 'rejected') throw video.reason;
  const imagePath = image.value.path;
  const videoPath = video.value.path;
  let clipS = video.value.durationS ?? task.videoDurationS ?? null;
  if (video.value.durationS !== undefined) await d.queries?.setVideoDuration(task.id, video.value.durationS);
  // A row from before durations were recorded: measure it (the deadlines scale with it).
  clipS ??= (await inspectVideoFile(videoPath, task.orientation)).durationS;
  report(bandPercent('inspect', 1));
  signal.throwIfAborted();

  const releaseSlot = await stages.enterHeavy();
  try {
    return await runEngine(d, now, task, lease, scratch, signal, log, stage, { imagePath, videoPath, clipS, startMs, report });
  } finally {
    releaseSlot();
  }
}

async function runEngine(d: TaskHandlerDeps, now: () => number, task: TaskRecord, lease: JobLease, scratch: string,
  signal: AbortSignal, log: Logger, stage: { current: WatchedStage },
  i: { imagePath: string; videoPath: string; clipS: number; startMs: number; report: (percent: number, etaS?: number) => void }): Promise<TaskOutcome> {
  const { imagePath, videoPath, clipS, startMs, report } = i;
  const c = d.config;
  const engineStart = now();
  // The engine is stopped by the job's abort or by a stage outliving its deadline, whichever comes first.
  const engineAbort = new AbortController();
  const forward = () => engineAbort.abort(signal.reason);
  signal.addEventListener('abort', forward, { once: true });
  const watchdog = new StageWatchdog({ stageMs: c.stageDeadlineMs, perClipSecondMs: c.stageDeadlinePerClipSecondMs }, clipS,
    (err) => { log.error({ stage: watchdog.current, reason: err.message }, 'engine stage deadline passed'); engineAbort.abort(err); });
  let result;
  try {
    result = await untilAborted(d.engine.animate({
      imagePath, videoPath, outputPath: path.join(scratch, 'output.mp4'), orientation: task.orientation,
      keepOriginalSound: task.keepOriginalSound, prompt: task.prompt || undefined, negativePrompt: task.negativePrompt || undefined,
    }, (p: EngineProgress) => {
      watchdog.enter(p.stage);
      stage.current = p.stage;
      report(bandPercent('engine', p.fraction), p.etaSeconds ?? etaFromRate(now() - engineStart, p.fraction));
    }, engineAbort.signal), engineAbort.signal);
  } catch (err) {
    // The deadline's own error names the stage; an engine that ignores its signal is not waited for.
    throw engineAbort.signal.aborted && !signal.aborted ? engineAbort.signal.reason as Error : err;
  } finally {
    watchdog.stop();
    signal.removeEventListener('abort', forward);
  }
  signal.throwIfAborted();
  // Upload only while this attempt holds the task; the key is the task's, so there is never a second result object.
  if (!(await d.tasks.holdsTask(task.id, lease.token))) throw new FenceLostError();
  const key = resultKeyFor(task.id);
  await d.storage.putFile(key, result.outputPath);
  log.info({ ms: now() - startMs, frames: result.frameCount, timings: result.timings }, 'engine done');
  return { status: 'SUCCEED', resultKey: key, completeMs: now() };
}
