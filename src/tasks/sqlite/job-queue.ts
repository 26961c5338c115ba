/** JobQueue on SQLite with leases: a claim is an IMMEDIATE transaction, so two processes never get the same job. */
import { randomUUID } from 'node:crypto';
import { interruptedReason } from '../../domain/task-status.js';
import type { JobLease, JobQueue } from '../types.js';
import type { Db } from './db.js';

interface JobRow { id: number; task_id: string; attempts: number }

export class SqliteJobQueue implements JobQueue {
  private readonly selectClaimable;
  private readonly takeLease;
  private readonly renew;
  private readonly remove;
  private readonly giveBack;
  private readonly retryNow;
  private readonly failTask;
  private readonly insertOutbox;

  constructor(private readonly db: Db) {
    this.selectClaimable = db.prepare('SELECT id, task_id, attempts FROM jobs WHERE lease_until <= ? ORDER BY id LIMIT 1');
    this.takeLease = db.prepare('UPDATE jobs SET attempts = attempts + 1, lease_token = ?, lease_until = ? WHERE id = ?');
    this.renew = db.prepare('UPDATE jobs SET lease_until = ? WHERE id = ? AND lease_token = ?');
    this.remove = db.prepare('DELETE FROM jobs WHERE id = ? AND lease_token = ?');
    this.giveBack = db.prepare('UPDATE jobs SET lease_until = 0, lease_token = NULL, attempts = MAX(0, attempts - 1) WHERE id = ? AND lease_token = ?');
    this.retryNow = db.prepare('UPDATE jobs SET lease_until = 0, lease_token = NULL WHERE id = ? AND lease_token = ?');
    this.failTask = db.prepare(`UPDATE tasks SET status = 'FAILED', eta_s = 0, reason = ?, complete_ms = ?
      WHERE id = ? AND status IN ('QUEUED','PROCESSING')`);
    this.insertOutbox = db.prepare(`INSERT INTO webhook_outbox (id, task_id, url, next_attempt_ms)
      SELECT ?, id, webhook_url, ? FROM tasks WHERE id = ? AND webhook_url IS NOT NULL`);
  }

  async claim(nowMs: number, leaseMs: number, maxAttempts: number): Promise<JobLease | null> {
    const lease = this.db.transaction((): JobLease | null => {
      for (;;) {
        const row = this.selectClaimable.get(nowMs) as JobRow | undefined;
        if (!row) return null;
        if (row.attempts >= maxAttempts) {
          // Its workers kept vanishing: end the task rather than hand it out forever.
          if (this.failTask.run(interruptedReason(row.attempts), nowMs, row.task_id).changes === 1) {
            this.insertOutbox.run(`msg_${randomUUID().replace(/-/g, '')}`, nowMs, row.task_id);
          }
          this.db.prepare('DELETE FROM jobs WHERE id = ?').run(row.id);
          continue;
        }
        const token = randomUUID();
        this.takeLease.run(token, nowMs + leaseMs, row.id);
        return { jobId: String(row.id), taskId: row.task_id, attempt: row.attempts + 1, token };
      }
    }).immediate();
    return (lease);
  }

  async heartbeat(lease: JobLease, nowMs: number, leaseMs: number): Promise<boolean> {
    return (this.renew.run(nowMs + leaseMs, Number(lease.jobId), lease.token).changes === 1);
  }

  async complete(lease: JobLease): Promise<void> {
    this.remove.run(Number(lease.jobId), lease.token);
  }

  async release(lease: JobLease): Promise<void> {
    this.giveBack.run(Number(lease.jobId), lease.token);
  }

  async retry(lease: JobLease): Promise<void> {
    this.retryNow.run(Number(lease.jobId), lease.token);
  }
}
