/**
 * The task worker: the generic job runner (claim, lease, heartbeat, shutdown) driving the task handler
 * (fetch, inspect, engine, upload). It holds CLAIMED_JOBS jobs; WORKERS of them are in the engine at once. A crash leaves an expiring lease; attempts beyond MAX_ATTEMPTS fail the task.
 */
import type { ReadyConfig } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import type { MotionEngine } from '../engine/types.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { JobRunner } from './job-runner.js';
import type { TaskQueries } from './queries.js';
import { createTaskHandler, TaskEndedError } from './task-handler.js';
import type { JobLease, JobQueue, TaskStore } from './types.js';

export { LeaseLostError, ShutdownError } from './job-runner.js';
export { TaskEndedError } from './task-handler.js';

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
  onLeaseLost?: (lease: JobLease) => void;
}

export class TaskWorker extends JobRunner {
  constructor(d: WorkerDeps) {
    super({
      queue: d.queue, logger: d.logger, concurrency: d.config.claimedJobs, heavySlots: d.config.workers,
      heavyWaitMs: d.config.engineWaitMs, leaseMs: d.config.leaseS * 1000,
      maxAttempts: d.config.maxAttempts, now: d.now, pollIntervalMs: d.pollIntervalMs, onLeaseLost: d.onLeaseLost,
      handler: createTaskHandler({
        config: d.config, tasks: d.tasks, storage: d.storage, engine: d.engine, queries: d.queries, now: d.now,
        progressIntervalMs: d.progressIntervalMs, cancelPollMs: d.cancelPollMs,
      }),
    });
  }

  /** The task was cancelled: stop its engine now rather than at the next status poll. */
  cancel(taskId: string): void {
    this.abortTask(taskId, new TaskEndedError());
  }
}
