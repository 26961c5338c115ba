/**
 * Which backends a configuration selects, and the combinations refused at start, each with the reason
 * (pure; docs/SCALE-OUT.md explains the same rules to people).
 */
import type { Config } from './config.js';

export type ProcessRole = 'serve' | 'api' | 'worker' | 'cli';

export interface BackendChoice {
  store: 'sqlite' | 'postgres';
  queue: 'sqlite' | 'postgres' | 'bullmq';
  storage: 'local' | 's3';
}

export function chooseBackends(c: Config): BackendChoice {
  const store = c.databaseUrl ? 'postgres' : 'sqlite';
  return { store, queue: c.redisUrl ? 'bullmq' : store, storage: c.s3 ? 's3' : 'local' };
}

/** Problems that make this configuration refuse to start (empty when it may). */
export function backendProblems(c: Config): string[] {
  const b = chooseBackends(c);
  const problems: string[] = [];
  if (b.store === 'sqlite' && b.queue === 'bullmq') {
    // Even on one host this buys nothing: SQLite already confines every process to this host, and its lease queue
    // claims and fences in the same file, in one transaction; Redis would add a second server to run and back up.
    problems.push('MARIONETTE_REDIS_URL is set but the task store is SQLite, a file on this host: a Redis queue is for workers on other '
      + 'machines, which could not read the tasks, and on one host the SQLite lease queue already does the same job in the same file. '
      + 'Set MARIONETTE_DATABASE_URL to a Postgres database, or unset MARIONETTE_REDIS_URL.');
  }
  if (b.store === 'postgres') {
    // Processes sharing Postgres may run on different hosts: a secret generated on one host would not be known on the others.
    const missing = [c.webhookSecret === undefined && 'MARIONETTE_WEBHOOK_SECRET', c.urlSigningSecret === undefined && 'MARIONETTE_URL_SIGNING_SECRET']
      .filter((x): x is string => typeof x === 'string');
    if (missing.length > 0) {
      problems.push(`${missing.join(' and ')} must be set: with MARIONETTE_DATABASE_URL several processes (on several hosts) share `
        + 'the tasks, so webhook signatures and result URLs must verify everywhere; the service will not generate per-host secrets.');
    }
  }
  return problems;
}

/** Combinations that start but deserve a line in the log. */
export function backendWarnings(c: Config, role: ProcessRole): string[] {
  const b = chooseBackends(c);
  const warnings: string[] = [];
  if (b.store === 'postgres' && b.storage === 'local' && (role === 'api' || role === 'worker')) {
    warnings.push('Postgres with local-disk storage: api and worker processes must share this data dir (one host or a shared '
      + 'filesystem); set MARIONETTE_S3_* to put them on different machines.');
  }
  if (b.store === 'sqlite' && (role === 'api' || role === 'worker')) {
    warnings.push('SQLite: every api and worker process must run on this host, on this data dir; only one API host is possible. '
      + 'Use MARIONETTE_DATABASE_URL (Postgres) to scale out.');
  }
  return warnings;
}
