/**
 * The generic job runner: claims up to `concurrency` jobs, keeps each lease alive with a heartbeat, aborts
 * a job whose lease was lost (another worker may hold it now), and on shutdown hands running jobs back.
 * A job's heavy stage (the engine) runs in one of `heavySlots` slots; while claimed jobs sit in a light stage
 * (fetching inputs from a slow server) the runner claims others, so a slow server never keeps the slots idle.
 * A shutdown hands back at once every job that has not reached its heavy stage. What a job does is the handler's business; the runner knows only leases.
 */
import type { Logger } from '../config/logger.js';
import { Slots } from './slots.js';
import type { JobLease, JobQueue } from './types.js';

export class LeaseLostError extends Error {
  constructor() { super('the job lease was lost'); this.name = 'LeaseLostError'; }
}
export class ShutdownError extends Error {
  constructor() { super('the worker is shutting down'); this.name = 'ShutdownError'; }
}

/**
 * What to do with the job once its handler is done: remove it, hand it out again now (this attempt counted),
 * or hand it back uncounted (it waited too long for a heavy slot).
 */
export type JobEnd = 'complete' | 'retry' | 'release';

/** How a job tells the runner where it stands. */
export interface JobStages {
  /**
   * Waits for a heavy slot (at most the runner's heavyWaitMs, else SlotWaitTimeoutError) and resolves with the
   * slot's release. From then on a shutdown lets the job finish within its grace.
   */
  enterHeavy(): Promise<() => void>;
  /**
   * Runs `work` (waiting on someone else: fetching an input) as a light stage: while it runs the job is not
   * counted as heading for a heavy slot, so the runner claims another job to keep the slots busy.
   */
  light<T>(work: () => Promise<T>): Promise<T>;
}

/** Runs one claimed job. After `signal` aborts for shutdown or a lost lease its answer is ignored. */
export type JobHandler = (lease: JobLease, signal: AbortSignal, log: Logger, stages: JobStages) => Promise<JobEnd>;

export interface JobRunnerOptions {
  queue: JobQueue;
  handler: JobHandler;
  logger: Logger;
  /** Jobs claimed at once. */
  concurrency: number;
  /** Jobs in their heavy stage at once (concurrency when omitted). */
  heavySlots?: number;
  /** How long a job may wait for a heavy slot (the lease is renewed meanwhile). */
  heavyWaitMs?: number;
  leaseMs: number;
  maxAttempts: number;
  now?: () => number;
  /** How long to wait between empty claims. */
  pollIntervalMs?: number;
  /** Called after a job's lease was lost (tests watch it). */
  onLeaseLost?: (lease: JobLease) => void;
}

interface RunningJob {
  promise: Promise<void>;
  abort: AbortController;
  taskId: string;
  /** Reached its heavy stage (let finish at shutdown). */
  heavy: boolean;
  /** Light stages running now (fetches): above 0 the job is not heading for a slot yet. */
  light: number;
}

export class JobRunner {
  private readonly running = new Map<string, RunningJob>();
  private readonly slots: Slots;
  private readonly slotCount: number;
  private stopping = false;
  private loopDone: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  /** A notify() that came while the loop was not sleeping. */
  private woken = false;
  private readonly now: () => number;

  constructor(private readonly o: JobRunnerOptions) {
    this.now = o.now ?? Date.now;
    this.slotCount = o.heavySlots ?? o.concurrency;
    this.slots = new Slots(this.slotCount);
  }

  get activeCount(): number {
    return this.running.size;
  }

  start(): void {
    if (this.loopDone) return;
    this.loopDone = this.loop();
  }

  /** Aborts the running job of `taskId` (if any) with `reason`; its handler decides what that means. */
  abortTask(taskId: string, reason: Error): void {
    for (const r of this.running.values()) if (r.taskId === taskId) r.abort.abort(reason);
  }

  /** A job may be waiting: claim now instead of at the next poll. */
  notify(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  /**
   * Stops claiming; hands back at once the jobs not yet in their heavy stage (another worker may run them now);
   * lets the others finish within `graceMs`, then aborts them (their jobs go back to the queue).
   */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.notify();
    await this.loopDone;
    this.slots.close(new ShutdownError());
    for (const r of this.running.values()) if (!r.heavy) r.abort.abort(new ShutdownError());
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
    const poll = this.o.pollIntervalMs ?? 500;
    while (!this.stopping) {
      // Another job only while the slots would not be oversubscribed by jobs heading for them: jobs in a light
      // stage (a slow fetch) do not count, so they never keep the engine idle; ready jobs stay queued for other workers.
      const headingForSlots = [...this.running.values()].filter((r) => r.light === 0).length;
      if (this.running.size >= this.o.concurrency || headingForSlots >= this.slotCount) { await this.sleep(poll); continue; }
      let lease: JobLease | null = null;
      try {
        lease = await this.o.queue.claim(this.now(), this.o.leaseMs, this.o.maxAttempts);
      } catch (err) {
        this.o.logger.error({ err }, 'claiming a job failed');
      }
      if (!lease) { await this.sleep(poll); continue; }
      const abort = new AbortController();
      const taken = lease;
      const entry: RunningJob = { promise: Promise.resolve(), abort, taskId: taken.taskId, heavy: false, light: 0 };
      const stages: JobStages = {
        enterHeavy: async () => {
          const release = await this.slots.acquire(this.o.heavyWaitMs ?? 3600_000, abort.signal);
          // From here on the job is let finish at shutdown (within the grace), its upload and end included.
          entry.heavy = true;
          return release;
        },
        light: async (work) => {
          entry.light++;
          this.notify();
          try { return await work(); } finally { entry.light--; }
        },
      };
      entry.promise = this.runJob(taken, abort, stages).finally(() => { this.running.delete(taken.jobId); this.notify(); });
      this.running.set(taken.jobId, entry);
    }
  }

  private async runJob(lease: JobLease, abort: AbortController, stages: JobStages): Promise<void> {
    const log = this.o.logger.child({ taskId: lease.taskId, attempt: lease.attempt });
    const beat = setInterval(() => {
      void this.o.queue.heartbeat(lease, this.now(), this.o.leaseMs).then(
        (ok) => { if (!ok && !abort.signal.aborted) { log.warn('lease lost: stopping this attempt'); abort.abort(new LeaseLostError()); this.o.onLeaseLost?.(lease); } },
        (err: unknown) => log.warn({ err }, 'heartbeat failed'),
      );
    }, Math.max(100, Math.floor(this.o.leaseMs / 3)));
    const lostOrStopping = () => abort.signal.reason instanceof LeaseLostError || abort.signal.reason instanceof ShutdownError;
    try {
      const end = await this.o.handler(lease, abort.signal, log, stages);
      if (!lostOrStopping()) {
        switch (end) {
          case 'retry': await this.o.queue.retry(lease); break;
          case 'release': await this.o.queue.release(lease); break;
          case 'complete': await this.o.queue.complete(lease); break;
        }
        return;
      }
    } catch (err) {
      if (!lostOrStopping()) {
        // Store trouble: the lease will expire and the job will be tried again.
        log.error({ err }, 'job bookkeeping failed');
        return;
      }
    } finally {
      clearInterval(beat);
    }
    if (abort.signal.reason instanceof ShutdownError) {
      await this.o.queue.release(lease).catch((err: unknown) => log.error({ err }, 'handing the job back failed'));
      log.info('job handed back (shutdown)');
    }
    // LeaseLostError: the job is another worker's now; nothing of ours may touch it.
  }
}
