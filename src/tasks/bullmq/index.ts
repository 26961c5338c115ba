/**
 * The Postgres + Redis backend: tasks, keys, webhooks and queue order stay in Postgres (the record); the jobs
 * workers claim are BullMQ jobs in Redis. A create commits in Postgres, then enqueues; a cancel ends the task in
 * Postgres, then removes its job if nobody holds it. Whatever Redis misses is enqueued again by the reconciler.
 */
import os from 'node:os';
import type { QueueCounts } from '../backend.js';
import { openPostgresBackend, type PostgresBackend } from '../postgres/index.js';
import { PostgresTaskQueries } from '../postgres/task-queries.js';
import { PostgresTaskStore } from '../postgres/task-store.js';
import type { Pool } from '../postgres/db.js';
import type { CancelResult } from '../queries.js';
import type { NewTask } from '../types.js';
import { redisOptionsFromUrl } from './connection.js';
import { BullmqJobQueue } from './job-queue.js';

export interface BullmqBackendOptions {
  databaseUrl: string;
  redisUrl: string;
  autoMigrate: boolean;
  prefix: string;
  commandTimeoutMs: number;
  stalledIntervalMs: number;
  retryBackoffMs: number;
  queueName?: string;
  reconcileIntervalMs?: number;
  poolSize?: number;
  /** Redis trouble that does not fail a request (an enqueue the reconciler will redo, a connection error). */
  onError?: (err: unknown, what: string) => void;
}

export interface BullmqBackend extends Omit<PostgresBackend, 'kind' | 'queue' | 'tasks' | 'queries'> {
  kind: 'postgres';
  queueKind: 'bullmq';
  tasks: BullmqTaskStore;
  queries: BullmqTaskQueries;
  queue: BullmqJobQueue;
}

/** Creates commit in Postgres first: if the enqueue then fails, the task is still recorded and the reconciler enqueues it. */
export class BullmqTaskStore extends PostgresTaskStore {
  constructor(pool: Pool, private readonly jobs: BullmqJobQueue, private readonly onError: (err: unknown, what: string) => void) { super(pool); }

  override async createTask(task: NewTask): Promise<void> {
    await super.createTask(task);
    await this.jobs.enqueue(task.id).catch((err: unknown) => this.onError(err, 'enqueueing a task in Redis failed (the reconciler enqueues it later)'));
  }
}

/** A cancelled task's job is removed when nobody holds it; a held one ends when its worker sees the task ended (its status poll). */
export class BullmqTaskQueries extends PostgresTaskQueries {
  constructor(pool: Pool, private readonly jobs: BullmqJobQueue, private readonly onError: (err: unknown, what: string) => void) { super(pool); }

  override async cancelTask(id: string, owner: string, reason: string, nowMs: number): Promise<CancelResult> {
    const r = await super.cancelTask(id, owner, reason, nowMs);
    if (r === 'canceled') await this.jobs.removeQueued(id).catch((err: unknown) => this.onError(err, 'removing a cancelled task\'s job failed'));
    return r;
  }
}

export async function openBullmqBackend(o: BullmqBackendOptions): Promise<BullmqBackend> {
  const onError = o.onError ?? (() => {});
  const pg = await openPostgresBackend(o.databaseUrl, o.autoMigrate, o.poolSize);
  const { pool } = pg;
  const queue = new BullmqJobQueue({
    connection: redisOptionsFromUrl(o.redisUrl, { commandTimeoutMs: o.commandTimeoutMs }),
    prefix: o.prefix, queueName: o.queueName, stalledIntervalMs: o.stalledIntervalMs, retryBackoffMs: o.retryBackoffMs,
    reconcileIntervalMs: o.reconcileIntervalMs, workerName: `${os.hostname()}:${process.pid}`,
    tasks: pg.tasks,
    unfinishedTaskIds: async (beforeMs, limit) => (await pool.query<{ id: string }>(`SELECT id FROM tasks
      WHERE status IN ('QUEUED','PROCESSING') AND submit_ms < $1 ORDER BY submit_ms LIMIT $2`, [beforeMs, limit])).rows.map((r) => r.id),
    onError: (err) => onError(err, 'redis'),
  });
  return {
    ...pg,
    kind: 'postgres',
    queueKind: 'bullmq',
    tasks: new BullmqTaskStore(pool, queue, onError),
    queries: new BullmqTaskQueries(pool, queue, onError),
    queue,
    ping: async () => (await pg.ping()) && (await queue.ping()),
    counts: async (nowMs): Promise<QueueCounts> => {
      const [c, r] = await Promise.all([pg.counts(nowMs), queue.counts()]);
      return { ...c, leased: r.active, waiting: r.waiting, delayed: r.delayed };
    },
    close: async () => {
      await queue.close();
      await pg.close();
    },
  };
}
