import type { WebhookDelivery, WebhookOutbox } from '../types.js';
import type { Db } from './db.js';

interface OutboxRow {
  id: string; task_id: string; url: string; attempts: number; next_attempt_ms: number | null;
  delivered_ms: number | null; gave_up: number; last_error: string;
}

export class SqliteWebhookOutbox implements WebhookOutbox {
  private readonly selectDue;
  private readonly lease;
  private readonly delivered;
  private readonly failed;
  private readonly byId;

  constructor(private readonly db: Db) {
    this.selectDue = db.prepare('SELECT * FROM webhook_outbox WHERE next_attempt_ms IS NOT NULL AND next_attempt_ms <= ? ORDER BY next_attempt_ms LIMIT ?');
    this.lease = db.prepare('UPDATE webhook_outbox SET next_attempt_ms = ? WHERE id = ?');
    // A later success clears the error: last_error describes the row as it is now.
    this.delivered = db.prepare("UPDATE webhook_outbox SET delivered_ms = ?, next_attempt_ms = NULL, attempts = attempts + 1, last_error = '' WHERE id = ?");
    this.failed = db.prepare('UPDATE webhook_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_ms = ?, gave_up = ? WHERE id = ?');
    this.byId = db.prepare('SELECT * FROM webhook_outbox WHERE id = ?');
  }

  async claimDue(nowMs: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]> {
    const rows = this.db.transaction(() => {
      const due = this.selectDue.all(nowMs, limit) as OutboxRow[];
      for (const r of due) this.lease.run(nowMs + leaseMs, r.id);
      return due;
    }).immediate();
    return (rows.map((r) => ({ id: r.id, taskId: r.task_id, url: r.url, attempts: r.attempts })));
  }

  async markDelivered(id: string, nowMs: number): Promise<void> {
    this.delivered.run(nowMs, id);
  }

  async markFailed(id: string, error: string, nextAttemptMs: number | null): Promise<void> {
    this.failed.run(error.slice(0, 500), nextAttemptMs, nextAttemptMs === null ? 1 : 0, id);
  }

  async getDelivery(id: string) {
    const r = this.byId.get(id) as OutboxRow | undefined;
    return (r ? {
      id: r.id, taskId: r.task_id, url: r.url, attempts: r.attempts, deliveredMs: r.delivered_ms, gaveUp: r.gave_up === 1, lastError: r.last_error,
    } : null);
  }
}
