/**
 * The Postgres connection pool and its versioned schema. Migrations run in order, each in its own transaction,
 * under an advisory lock, so two processes starting at once never apply one twice.
 */
import pg from 'pg';

export type Pool = pg.Pool;
export type Client = pg.PoolClient;

/** Arbitrary but fixed: the advisory lock key that serialises migrations. */
const MIGRATION_LOCK_KEY = 7_274_811_201;

/** Append only. Times are epoch milliseconds (BIGINT), as in the SQLite schema. */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE tasks (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('QUEUED','PROCESSING','SUCCEED','FAILED')),
     reason TEXT NOT NULL DEFAULT '',
     progress INTEGER NOT NULL DEFAULT 0,
     eta_s INTEGER NOT NULL DEFAULT 0,
     orientation TEXT NOT NULL,
     keep_original_sound BOOLEAN NOT NULL,
     prompt TEXT NOT NULL,
     negative_prompt TEXT NOT NULL,
     webhook_url TEXT,
     image_json TEXT NOT NULL,
     video_json TEXT NOT NULL,
     submit_ms BIGINT NOT NULL,
     execute_ms BIGINT,
     complete_ms BIGINT,
     result_key TEXT,
     inputs_deleted BOOLEAN NOT NULL DEFAULT FALSE,
     video_duration_s DOUBLE PRECISION,
     attempt_token TEXT
   );
   CREATE INDEX tasks_ended_inputs ON tasks (inputs_deleted, status);
   CREATE INDEX tasks_owner_submit ON tasks (owner, submit_ms, id);
   CREATE INDEX tasks_status_complete ON tasks (status, complete_ms);
   CREATE TABLE jobs (
     id BIGSERIAL PRIMARY KEY,
     task_id TEXT NOT NULL UNIQUE REFERENCES tasks(id),
     attempts INTEGER NOT NULL DEFAULT 0,
     lease_token TEXT,
     lease_until BIGINT NOT NULL DEFAULT 0,
     created_ms BIGINT NOT NULL
   );
   CREATE INDEX jobs_lease ON jobs (lease_until, id);
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     label TEXT NOT NULL,
     created_ms BIGINT NOT NULL
   );
   CREATE TABLE webhook_outbox (
     id TEXT PRIMARY KEY,
     task_id TEXT NOT NULL REFERENCES tasks(id),
     url TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_ms BIGINT,
     delivered_ms BIGINT,
     gave_up BOOLEAN NOT NULL DEFAULT FALSE,
     last_error TEXT NOT NULL DEFAULT ''
   );
   CREATE INDEX webhook_due ON webhook_outbox (next_attempt_ms);
   CREATE TABLE idempotency_keys (
     owner TEXT NOT NULL,
     key TEXT NOT NULL,
     body_hash TEXT NOT NULL,
     task_id TEXT NOT NULL,
     created_ms BIGINT NOT NULL,
     PRIMARY KEY (owner, key)
   );
   CREATE INDEX idempotency_created ON idempotency_keys (created_ms);`,
];

/** BIGINT and NUMERIC come back as numbers (epoch ms and sums fit in a double). */
function typeParser(oid: number, format?: string): (v: string) => unknown {
  if (oid === 20 || oid === 1700) return (v: string) => Number(v);
  return pg.types.getTypeParser(oid, format as 'text');
}

export function openPool(url: string, max = 10): Pool {
  const pool = new pg.Pool({
    connectionString: url, max, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000,
    // Every statement has a deadline: a stuck query fails instead of holding a worker forever.
    statement_timeout: 30_000, query_timeout: 35_000,
    types: { getTypeParser: typeParser } as unknown as pg.CustomTypesConfig,
  });
  // An idle client that loses its server emits here; the pool replaces it on the next query.
  pool.on('error', () => {});
  return pool;
}

export async function inTransaction<T>(pool: Pool, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    await c.query('COMMIT');
    return r;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}

/** Versions applied now (empty when the schema was current). */
export async function migratePostgres(pool: Pool): Promise<number[]> {
  const c = await pool.connect();
  const applied: number[] = [];
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms BIGINT NOT NULL)');
    const done = new Set((await c.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const [i, sql] of PG_MIGRATIONS.entries()) {
      const version = i + 1;
      if (done.has(version)) continue;
      await c.query('BEGIN');
      try {
        await c.query(sql);
        await c.query('INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)', [version, Date.now()]);
        await c.query('COMMIT');
        applied.push(version);
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      }
    }
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    c.release();
  }
  return applied;
}

/** The schema version in the database, and the one this build expects. */
export async function schemaVersion(pool: Pool): Promise<{ current: number; expected: number }> {
  const exists = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_migrations') AS t");
  const current = exists.rows[0]?.t ? (await pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0 : 0;
  return { current, expected: PG_MIGRATIONS.length };
}
