/** The Postgres backend: one pool shared by the task store, lease queue, key store, webhook outbox and queries. */
import { migratePostgres, openPool, schemaVersion, type Pool } from './db.js';
import { PostgresJobQueue } from './job-queue.js';
import { PostgresApiKeyStore } from './key-store.js';
import { PostgresWebhookOutbox } from './outbox.js';
import { PostgresTaskQueries } from './task-queries.js';
import { PostgresTaskStore } from './task-store.js';
import type { QueueCounts } from '../backend.js';

export interface PostgresBackend {
  kind: 'postgres';
  pool: Pool;
  tasks: PostgresTaskStore;
  queries: PostgresTaskQueries;
  queue: PostgresJobQueue;
  keys: PostgresApiKeyStore;
  outbox: PostgresWebhookOutbox;
  ping(): Promise<boolean>;
  counts(nowMs: number): Promise<QueueCounts>;
  close(): Promise<void>;
}

/** Opens the pool; applies pending migrations when `autoMigrate`, else refuses a schema older than this build's. */
export async function openPostgresBackend(url: string, autoMigrate: boolean, poolSize = 10): Promise<PostgresBackend> {
  const pool = openPool(url, poolSize);
  try {
    if (autoMigrate) await migratePostgres(pool);
    else {
      const v = await schemaVersion(pool);
      if (v.current < v.expected) throw new Error(`the database schema is at version ${v.current}, this build needs ${v.expected}: run \`marionette migrate\` (or set MARIONETTE_AUTO_MIGRATE=on)`);
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    kind: 'postgres',
    pool,
    tasks: new PostgresTaskStore(pool),
    queries: new PostgresTaskQueries(pool),
    queue: new PostgresJobQueue(pool),
    keys: new PostgresApiKeyStore(pool),
    outbox: new PostgresWebhookOutbox(pool),
    ping: async () => (await pool.query<{ ok: number }>('SELECT 1 AS ok')).rows[0]?.ok === 1,
    counts: async (nowMs) => {
      const r = (await pool.query<QueueCounts>(`SELECT
          (SELECT COUNT(*) FROM tasks WHERE status = 'QUEUED') AS queued,
          (SELECT COUNT(*) FROM tasks WHERE status = 'PROCESSING') AS processing,
          (SELECT COUNT(*) FROM tasks WHERE status = 'SUCCEED') AS succeeded,
          (SELECT COUNT(*) FROM tasks WHERE status = 'FAILED') AS failed,
          (SELECT COUNT(*) FROM jobs WHERE lease_until > $1) AS leased,
          (SELECT COUNT(*) FROM jobs WHERE lease_until <= $1) AS waiting,
          (SELECT COUNT(*) FROM webhook_outbox WHERE delivered_ms IS NULL AND NOT gave_up) AS "webhooksPending"`, [nowMs])).rows[0];
      return r;
    },
    close: () => pool.end(),
  };
}
