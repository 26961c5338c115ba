/**
 * The task backend a process runs on, whichever engine holds it: SQLite in the data dir, or Postgres (and,
 * for the queue, optionally BullMQ on Redis). Chosen once from the config (src/config/backends.ts).
 */
import type { Config } from '../config/config.js';
import { chooseBackends } from '../config/backends.js';
import type { TaskQueries } from './queries.js';
import type { ApiKeyStore, JobQueue, TaskStore, WebhookOutbox } from './types.js';

/** Counts by state, for `marionette queue` and operators. */
export interface QueueCounts {
  queued: number;
  processing: number;
  succeeded: number;
  failed: number;
  /**
   * Jobs a worker holds a lease on (BullMQ: active, including a dead worker's until the stalled check takes it
   * back), and jobs free to be claimed (new, given back, or their lease expired).
   */
  leased: number;
  waiting: number;
  /** BullMQ only: retried jobs waiting out their backoff. */
  delayed?: number;
  webhooksPending: number;
}

export interface TaskBackend {
  kind: 'sqlite' | 'postgres';
  /** Where the jobs are, when not in the store's own lease table. */
  queueKind?: 'bullmq';
  tasks: TaskStore;
  queries: TaskQueries;
  queue: JobQueue;
  keys: ApiKeyStore;
  outbox: WebhookOutbox;
  ping(): boolean | Promise<boolean>;
  counts(nowMs: number): Promise<QueueCounts>;
  close(): void | Promise<void>;
}

/** `onError` hears Redis trouble that fails no request (an enqueue the reconciler redoes, a lost connection). */
export async function openTaskBackend(c: Config, onError?: (err: unknown, what: string) => void): Promise<TaskBackend> {
  const choice = chooseBackends(c);
  if (choice.queue === 'bullmq') {
    const { openBullmqBackend } = await import('./bullmq/index.js');
    return openBullmqBackend({
      databaseUrl: c.databaseUrl!, redisUrl: c.redisUrl!, autoMigrate: c.autoMigrate, prefix: c.redis.prefix,
      commandTimeoutMs: c.redis.commandTimeoutMs, stalledIntervalMs: c.redis.stalledIntervalMs, retryBackoffMs: c.redis.retryBackoffMs, onError,
    });
  }
  if (choice.store === 'postgres') {
    const { openPostgresBackend } = await import('./postgres/index.js');
    return openPostgresBackend(c.databaseUrl!, c.autoMigrate);
  }
  const { databasePath, openSqliteBackend } = await import('./sqlite/index.js');
  return openSqliteBackend(databasePath(c.dataDir));
}
