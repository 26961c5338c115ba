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
  /** Jobs a worker holds a live lease on, and jobs free to be claimed (new, or their lease expired). */
  leased: number;
  waiting: number;
  webhooksPending: number;
}

export interface TaskBackend {
  kind: 'sqlite' | 'postgres';
  tasks: TaskStore;
  queries: TaskQueries;
  queue: JobQueue;
  keys: ApiKeyStore;
  outbox: WebhookOutbox;
  ping(): boolean | Promise<boolean>;
  counts(nowMs: number): Promise<QueueCounts>;
  close(): void | Promise<void>;
}

export async function openTaskBackend(c: Config): Promise<TaskBackend> {
  const choice = chooseBackends(c);
  if (choice.store === 'postgres') {
    const { openPostgresBackend } = await import('./postgres/index.js');
    return openPostgresBackend(c.databaseUrl!, c.autoMigrate);
  }
  const { databasePath, openSqliteBackend } = await import('./sqlite/index.js');
  return openSqliteBackend(databasePath(c.dataDir));
}
