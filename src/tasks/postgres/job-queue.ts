/** JobQueue on Postgres with leases: a claim locks the oldest free row with SKIP LOCKED, so workers never wait on each other. */
import { randomUUID } from 'node:crypto';
import { interruptedReason } from '../../domain/task-status.js';
import type { JobLease, JobQueue } from '../types.js';
import { inTransaction, type Pool } from './db.js';
import { enqueueWebhook } from './task-store.js';

export class PostgresJobQueue implements JobQueue {
  constructor(private readonly pool: Pool) {}

  async claim(nowMs: number, leaseMs: number, maxAttempts: number): Promise<JobLease | null> {
    return inTransaction(this.pool, async (c) => {
      for (;;) {
        const row = (await c.query<{ id: number; task_id: string; attempts: number }>(
          'SELECT id, task_id, attempts FROM jobs WHERE lease_until <= $1 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED', [nowMs])).rows[0];
        if (!row) return null;
        if (row.attempts >= maxAttempts) {
          // Its workers kept vanishing: end the task rather than hand it out forever.
          const failed = await c.query(`UPDATE tasks SET status = 'FAILED', eta_s = 0, reason = $1, complete_ms = $2
            WHERE id = $3 AND status IN ('QUEUED','PROCESSING')`, [interruptedReason(row.attempts), nowMs, row.task_id]);
          if (failed.rowCount === 1) await enqueueWebhook(c, row.task_id, nowMs);
          await c.query('DELETE FROM jobs WHERE id = $1', [row.id]);
          continue;
        }
        const token = randomUUID();
        await c.query('UPDATE jobs SET attempts = attempts + 1, lease_token = $1, lease_until = $2 WHERE id = $3', [token, nowMs + leaseMs, row.id]);
        return { jobId: String(row.id), taskId: row.task_id, attempt: row.attempts + 1, token };
      }
    });
  }

  async heartbeat(lease: JobLease, nowMs: number, leaseMs: number): Promise<boolean> {
    const r = await this.pool.query('UPDATE jobs SET lease_until = $1 WHERE id = $2 AND lease_token = $3', [nowMs + leaseMs, lease.jobId, lease.token]);
    return r.rowCount === 1;
  }

  async complete(lease: JobLease): Promise<void> {
    await this.pool.query('DELETE FROM jobs WHERE id = $1 AND lease_token = $2', [lease.jobId, lease.token]);
  }

  async release(lease: JobLease): Promise<void> {
    await this.pool.query('UPDATE jobs SET lease_until = 0, lease_token = NULL, attempts = GREATEST(0, attempts - 1) WHERE id = $1 AND lease_token = $2',
      [lease.jobId, lease.token]);
  }

  async retry(lease: JobLease): Promise<void> {
    await this.pool.query('UPDATE jobs SET lease_until = 0, lease_token = NULL WHERE id = $1 AND lease_token = $2', [lease.jobId, lease.token]);
  }
}
