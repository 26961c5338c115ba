import type { WebhookDelivery, WebhookOutbox } from '../types.js';
import type { Pool } from './db.js';

interface OutboxRow {
  id: string; task_id: string; url: string; attempts: number; next_attempt_ms: number | null;
  delivered_ms: number | null; gave_up: boolean; last_error: string;
}

export class PostgresWebhookOutbox implements WebhookOutbox {
  constructor(private readonly pool: Pool) {}

  /** Due rows are leased in one statement; SKIP LOCKED keeps two dispatchers off the same row. */
  async claimDue(nowMs: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]> {
    const r = await this.pool.query<OutboxRow>(`UPDATE webhook_outbox SET next_attempt_ms = $2 WHERE id IN (
        SELECT id FROM webhook_outbox WHERE next_attempt_ms IS NOT NULL AND next_attempt_ms <= $1
        ORDER BY next_attempt_ms LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING *`, [nowMs, nowMs + leaseMs, limit]);
    return r.rows.map((x) => ({ id: x.id, taskId: x.task_id, url: x.url, attempts: x.attempts }));
  }

  async markDelivered(id: string, nowMs: number): Promise<void> {
    await this.pool.query("UPDATE webhook_outbox SET delivered_ms = $1, next_attempt_ms = NULL, attempts = attempts + 1, last_error = '' WHERE id = $2", [nowMs, id]);
  }

  async markFailed(id: string, error: string, nextAttemptMs: number | null): Promise<void> {
    await this.pool.query('UPDATE webhook_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_ms = $2, gave_up = $3 WHERE id = $4',
      [error.slice(0, 500), nextAttemptMs, nextAttemptMs === null, id]);
  }

  async getDelivery(id: string) {
    const r = (await this.pool.query<OutboxRow>('SELECT * FROM webhook_outbox WHERE id = $1', [id])).rows[0];
    return r ? { id: r.id, taskId: r.task_id, url: r.url, attempts: r.attempts, deliveredMs: r.delivered_ms, gaveUp: r.gave_up, lastError: r.last_error } : null;
  }
}
