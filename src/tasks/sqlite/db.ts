/** Opens the SQLite database (WAL, busy timeout) and applies pending migrations in order. */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

export type Db = Database.Database;

/** Append only: each entry runs once, in its own transaction, recorded in `migrations`. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE tasks (
     id TEXT PRIMARY KEY,
     owner TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('QUEUED','PROCESSING','SUCCEED','FAILED')),
     reason TEXT NOT NULL DEFAULT '',
     progress INTEGER NOT NULL DEFAULT 0,
     eta_s INTEGER NOT NULL DEFAULT 0,
     orientation TEXT NOT NULL,
     keep_original_sound INTEGER NOT NULL,
     prompt TEXT NOT NULL,
     negative_prompt TEXT NOT NULL,
     webhook_url TEXT,
     image_json TEXT NOT NULL,
     video_json TEXT NOT NULL,
     submit_ms INTEGER NOT NULL,
     execute_ms INTEGER,
     complete_ms INTEGER,
     result_key TEXT,
     inputs_deleted INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX tasks_ended_inputs ON tasks (inputs_deleted, status);
   CREATE TABLE jobs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     task_id TEXT NOT NULL UNIQUE REFERENCES tasks(id),
     attempts INTEGER NOT NULL DEFAULT 0,
     lease_token TEXT,
     lease_until INTEGER NOT NULL DEFAULT 0,
     created_ms INTEGER NOT NULL
   );
   CREATE INDEX jobs_lease ON jobs (lease_until, id);
   CREATE TABLE api_keys (
     id TEXT PRIMARY KEY,
     hash TEXT NOT NULL UNIQUE,
     label TEXT NOT NULL,
     created_ms INTEGER NOT NULL
   );
   CREATE TABLE webhook_outbox (
     id TEXT PRIMARY KEY,
     task_id TEXT NOT NULL REFERENCES tasks(id),
     url TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_attempt_ms INTEGER,
     delivered_ms INTEGER,
     gave_up INTEGER NOT NULL DEFAULT 0,
     last_error TEXT NOT NULL DEFAULT ''
   );
   CREATE INDEX webhook_due ON webhook_outbox (next_attempt_ms);`,
  // Listing, queue position and ETA, idempotent creates, per-key limits.
  `ALTER TABLE tasks ADD COLUMN video_duration_s REAL;
   CREATE INDEX tasks_owner_submit ON tasks (owner, submit_ms, id);
   CREATE INDEX tasks_status_complete ON tasks (status, complete_ms);
   CREATE TABLE idempotency_keys (
     owner TEXT NOT NULL,
     key TEXT NOT NULL,
     body_hash TEXT NOT NULL,
     task_id TEXT NOT NULL,
     created_ms INTEGER NOT NULL,
     PRIMARY KEY (owner, key)
   );
   CREATE INDEX idempotency_created ON idempotency_keys (created_ms);`,
  // The fence: the lease token of the attempt that holds the task now; ending the task checks it.
  'ALTER TABLE tasks ADD COLUMN attempt_token TEXT',
];

export function openDatabase(file: string): Db {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

export function migrate(db: Db): void {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM migrations').all() as { version: number }[]).map((r) => r.version));
  MIGRATIONS.forEach((sql, i) => {
    const version = i + 1;
    if (applied.has(version)) return;
    // IMMEDIATE: two processes starting together must not both apply a migration.
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM migrations WHERE version = ?').get(version);
      if (again) return;
      db.exec(sql);
      db.prepare('INSERT INTO migrations (version, applied_ms) VALUES (?, ?)').run(version, Date.now());
    }).immediate();
  });
}
