/** The SQLite backend: one connection shared by the task store, job queue, key store and webhook outbox. */
import path from 'node:path';
import { openDatabase, type Db } from './db.js';
import { SqliteApiKeyStore } from './key-store.js';
import { SqliteJobQueue } from './job-queue.js';
import { SqliteWebhookOutbox } from './outbox.js';
import { SqliteTaskQueries } from './task-queries.js';
import { SqliteTaskStore } from './task-store.js';
import type { QueueCounts } from '../backend.js';

export interface SqliteBackend {
  kind: 'sqlite';
  db: Db;
  tasks: SqliteTaskStore;
  queries: SqliteTaskQueries;
  queue: SqliteJobQueue;
  keys: SqliteApiKeyStore;
  outbox: SqliteWebhookOutbox;
  /** A trivial query, for readiness. */
  ping(): boolean;
  counts(nowMs: number): Promise<QueueCounts>;
  close(): void;
}

export const DATABASE_FILE = 'marionette.db';

export function databasePath(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

export function openSqliteBackend(file: string): SqliteBackend {
  const db = openDatabase(file);
  const ping = db.prepare('SELECT 1 AS ok');
  const counts = db.prepare(`SELECT
      (SELECT COUNT(*) FROM tasks WHERE status = 'QUEUED') AS queued,
      (SELECT COUNT(*) FROM tasks WHERE status = 'PROCESSING') AS processing,
      (SELECT COUNT(*) FROM tasks WHERE status = 'SUCCEED') AS succeeded,
      (SELECT COUNT(*) FROM tasks WHERE status = 'FAILED') AS failed,
      (SELECT COUNT(*) FROM jobs WHERE lease_until > @now) AS leased,
      (SELECT COUNT(*) FROM jobs WHERE lease_until <= @now) AS waiting,
      (SELECT COUNT(*) FROM webhook_outbox WHERE delivered_ms IS NULL AND gave_up = 0) AS webhooksPending`);
  return {
    kind: 'sqlite',
    db,
    counts: async (nowMs) => counts.get({ now: nowMs }) as QueueCounts,
    tasks: new SqliteTaskStore(db),
    queries: new SqliteTaskQueries(db),
    queue: new SqliteJobQueue(db),
    keys: new SqliteApiKeyStore(db),
    outbox: new SqliteWebhookOutbox(db),
    ping: () => (ping.get() as { ok: number } | undefined)?.ok === 1,
    close: () => db.close(),
  };
}
