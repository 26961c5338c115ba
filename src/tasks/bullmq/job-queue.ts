/**
 * JobQueue on BullMQ + Redis, claim-style: a manual Worker takes jobs with getNextJob(token), the lock token is
 * the attempt's fence token (the task store checks it in the transaction that ends the task), heartbeats are
 * extendLock, and a killed worker's job comes back through BullMQ's stalled check: its lock expires after the
 * lease, the next check moves it back to wait (bounded: lease + stalledInterval). Attempts are counted from
 * BullMQ's own fields (retries + stalls); a release at shutdown counts nothing. Redis holds only deliveries:
 * every task stays in the Postgres store, and an unfinished task whose job Redis lost is enqueued again.
 */
import { randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { interruptedReason } from '../../domain/task-status.js';
import type { JobLease, JobQueue, TaskStore } from '../types.js';

interface JobData { taskId: string }

export interface BullmqQueueOptions {
  /** ioredis options (the connection's deadlines included); the queue opens its own clients from them. */
  connection: RedisOptions;
  /** Prefix of every Redis key. */
  prefix: string;
  queueName?: string;
  /** How often a worker looks for jobs whose lock expired (BullMQ's stalledInterval). */
  stalledIntervalMs: number;
  /** A retried attempt waits this long, doubling each time (BullMQ's exponential backoff); 0 retries at once. */
  retryBackoffMs: number;
  /** Ends a task whose attempts ran out (forward only, webhook row in the same transaction). */
  tasks: Pick<TaskStore, 'finishTask'>;
  /** Unfinished (QUEUED or PROCESSING) tasks submitted before `beforeMs`, oldest first. */
  unfinishedTaskIds(beforeMs: number, limit: number): Promise<string[]>;
  /** How often a claiming process checks that every unfinished task has its job in Redis. */
  reconcileIntervalMs?: number;
  /** Shown as the job's processedBy. */
  workerName?: string;
  onError?: (err: unknown) => void;
}

export interface BullmqCounts { active: number; waiting: number; delayed: number }

export const DEFAULT_QUEUE_NAME = 'tasks';
/** Attempts are ours to count (maxAttempts); BullMQ's own limit only has to stay out of the way. */
const BULLMQ_ATTEMPTS = 1000;
const RECONCILE_BATCH = 500;
/** A task this young may still be between its Postgres insert and its enqueue. */
const RECONCILE_GRACE_MS = 10_000;
/** BullMQ's codes for a job this attempt no longer holds: gone, lock gone, not active, lock someone else's. */
const LOST_CODES = new Set([-1, -2, -3, -6]);

export const jobIdFor = (taskId: string): string => `task_${taskId}`;

function isLost(err: unknown): boolean {
  return typeof err === 'object' && err !== null && LOST_CODES.has((err as { code?: number }).code ?? 0);
}

export class BullmqJobQueue implements JobQueue {
  readonly queue: Queue<JobData>;
  private readonly name: string;
  private worker: Promise<Worker<JobData>> | null = null;
  /** Ours, not BullMQ's: close() can stop them reconnecting even while Redis is down (else the process never exits). */
  private readonly clients: Redis[] = [];
  /** Jobs claimed here, by lock token (their in-memory Job is what extendLock and the moves need). */
  private readonly held = new Map<string, Job<JobData>>();
  private nextReconcileMs = 0;

  constructor(private readonly o: BullmqQueueOptions) {
    this.name = o.queueName ?? DEFAULT_QUEUE_NAME;
    this.queue = new Queue<JobData>(this.name, {
      connection: this.client({ ...o.connection, maxRetriesPerRequest: 3 }), prefix: o.prefix,
      defaultJobOptions: {
        attempts: BULLMQ_ATTEMPTS, removeOnComplete: true, removeOnFail: true,
        backoff: o.retryBackoffMs > 0 ? { type: 'exponential', delay: o.retryBackoffMs } : undefined,
      },
    });
    this.queue.on('error', (err) => o.onError?.(err));
  }

  /** Adds the task's job (a no-op when it is there already: the job id is the task's). */
  async enqueue(taskId: string): Promise<void> {
    await this.queue.add('task', { taskId }, { jobId: jobIdFor(taskId) });
  }

  /** Removes a job nobody holds; false when a worker holds it (that worker sees its task end and stops). */
  async removeQueued(taskId: string): Promise<boolean> {
    return (await this.queue.remove(jobIdFor(taskId))) === 1;
  }

  async counts(): Promise<BullmqCounts> {
    const c = await this.queue.getJobCounts('active', 'wait', 'prioritized', 'delayed');
    return { active: c.active ?? 0, waiting: (c.wait ?? 0) + (c.prioritized ?? 0), delayed: c.delayed ?? 0 };
  }

  /** Redis answers (one cheap script call). */
  async ping(): Promise<boolean> {
    await this.queue.getJobCounts('wait');
    return true;
  }

  /** Enqueues every unfinished task whose job Redis does not have (a failed enqueue, or a Redis that lost data). */
  async reconcile(nowMs: number): Promise<number> {
    const ids = await this.o.unfinishedTaskIds(nowMs - RECONCILE_GRACE_MS, RECONCILE_BATCH);
    const states = await Promise.all(ids.map((id) => this.queue.getJobState(jobIdFor(id))));
    const lost = ids.filter((_, i) => states[i] === 'unknown');
    for (const id of lost) await this.enqueue(id);
    return lost.length;
  }

  async claim(nowMs: number, leaseMs: number, maxAttempts: number): Promise<JobLease | null> {
    const worker = await this.workerFor(leaseMs);
    if (nowMs >= this.nextReconcileMs) {
      this.nextReconcileMs = nowMs + (this.o.reconcileIntervalMs ?? 60_000);
      await this.reconcile(nowMs).catch((err: unknown) => this.o.onError?.(err));
    }
    for (;;) {
      const token = randomUUID();
      const job = await worker.getNextJob(token, { block: false });
      if (!job) return null;
      if (leaseMs !== worker.opts.lockDuration) await job.extendLock(token, leaseMs);
      // Retries (attemptsMade) and stalls (stalledCounter) before this one; a release counted neither.
      const attempt = job.attemptsMade + job.stalledCounter + 1;
      if (attempt > maxAttempts) {
        // Its workers kept vanishing: end the task rather than hand it out forever.
        const reason = interruptedReason(attempt - 1);
        await this.o.tasks.finishTask(job.data.taskId, { status: 'FAILED', reason, completeMs: nowMs });
        await job.moveToFailed(new UnrecoverableError(reason), token, false).catch((err: unknown) => { if (!isLost(err)) throw err; });
        continue;
      }
      this.held.set(token, job);
      return { jobId: job.id ?? jobIdFor(job.data.taskId), taskId: job.data.taskId, attempt, token };
    }
  }

  async heartbeat(lease: JobLease, _nowMs: number, leaseMs: number): Promise<boolean> {
    const job = this.held.get(lease.token);
    if (!job) return false;
    const ok = (await job.extendLock(lease.token, leaseMs)) === 1;
    if (!ok) this.held.delete(lease.token);
    return ok;
  }

  async complete(lease: JobLease): Promise<void> {
    await this.end(lease, (job) => job.moveToCompleted(null, lease.token, false));
  }

  /** Back to the head of the line, uncounted (graceful shutdown). */
  async release(lease: JobLease): Promise<void> {
    await this.end(lease, (job) => job.moveToWait(lease.token));
  }

  /** Counted, and back after the backoff. */
  async retry(lease: JobLease): Promise<void> {
    await this.end(lease, (job) => job.moveToFailed(new Error('the attempt is retried'), lease.token, false));
  }

  async close(): Promise<void> {
    const worker = await this.worker?.catch(() => null);
    await worker?.close();
    await this.queue.close();
    for (const c of this.clients) c.disconnect();
  }

  private client(options: RedisOptions): Redis {
    const c = new Redis(options);
    c.on('error', (err) => this.o.onError?.(err));
    this.clients.push(c);
    return c;
  }

  /** A stale end (the lock moved on to another attempt) does nothing, as on the SQL queues. */
  private async end(lease: JobLease, move: (job: Job<JobData>) => Promise<unknown>): Promise<void> {
    const job = this.held.get(lease.token);
    this.held.delete(lease.token);
    if (!job) return;
    await move(job).catch((err: unknown) => { if (!isLost(err)) throw err; });
  }

  /** Made at the first claim only: API and CLI processes open no worker connections and run no stalled checks. */
  private workerFor(leaseMs: number): Promise<Worker<JobData>> {
    this.worker ??= (async () => {
      const w = new Worker<JobData>(this.name, null, {
        // A Worker's connection must retry forever (BullMQ's rule); its commands still fail at the command deadline.
        connection: this.client({ ...this.o.connection, maxRetriesPerRequest: null }), prefix: this.o.prefix, autorun: false, name: this.o.workerName,
        lockDuration: leaseMs > 0 ? leaseMs : 30_000, stalledInterval: this.o.stalledIntervalMs,
        // Stalls count as attempts here (maxAttempts); BullMQ must not fail the job on its own.
        maxStalledCount: 1_000_000,
      });
      w.on('error', (err) => this.o.onError?.(err));
      await w.waitUntilReady();
      void w.startStalledCheckTimer();
      return w;
    })();
    return this.worker;
  }
}
