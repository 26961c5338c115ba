/** TaskQueries on Postgres (listing, cancel, queue position, idempotency keys, row retention), the SQLite queries ported. */
import type { CancelResult, IdempotencyReservation, ListQuery, QueueSnapshot, TaskQueries } from '../queries.js';
import type { TaskStatusView } from '../types.js';
import { inTransaction, type Pool } from './db.js';
import { enqueueWebhook, VIEW_COLUMNS } from './task-store.js';

export class PostgresTaskQueries implements TaskQueries {
  constructor(private readonly pool: Pool) {}

  async listTasks(q: ListQuery): Promise<TaskStatusView[]> {
    const where = ['owner = $1'];
    const args: unknown[] = [q.owner];
    if (q.status) { args.push(q.status); where.push(`status = $${args.length}`); }
    if (q.before) {
      args.push(q.before.submitMs, q.before.id);
      where.push(`(submit_ms < $${args.length - 1} OR (submit_ms = $${args.length - 1} AND id < $${args.length}))`);
    }
    args.push(q.limit);
    const sql = `SELECT ${VIEW_COLUMNS} FROM tasks WHERE ${where.join(' AND ')} ORDER BY submit_ms DESC, id DESC LIMIT $${args.length}`;
    return (await this.pool.query<TaskStatusView>(sql, args)).rows;
  }

  async cancelTask(id: string, owner: string, reason: string, nowMs: number): Promise<CancelResult> {
    return inTransaction(this.pool, async (c): Promise<CancelResult> => {
      const r = await c.query(`UPDATE tasks SET status = 'FAILED', eta_s = 0, reason = $3, complete_ms = $4
        WHERE id = $1 AND owner = $2 AND status IN ('QUEUED','PROCESSING')`, [id, owner, reason, nowMs]);
      if (r.rowCount === 1) {
        // A running worker sees its job gone (and the task ended) and stops its engine.
        await c.query('DELETE FROM jobs WHERE task_id = $1', [id]);
        await enqueueWebhook(c, id, nowMs);
        return 'canceled';
      }
      const row = (await c.query<{ owner: string }>('SELECT owner FROM tasks WHERE id = $1', [id])).rows[0];
      return !row || row.owner !== owner ? 'not-found' : 'ended';
    });
  }

  async queueSnapshot(taskId: string): Promise<QueueSnapshot | null> {
    const own = (await this.pool.query<{ d: number | null }>('SELECT video_duration_s AS d FROM tasks WHERE id = $1', [taskId])).rows[0];
    if (!own) return null;
    const a = (await this.pool.query<{ ahead: number; clip: number; unknown: number }>(`SELECT COUNT(*) AS ahead,
        COALESCE(SUM(t.video_duration_s), 0) AS clip, COUNT(*) FILTER (WHERE t.video_duration_s IS NULL) AS unknown
      FROM jobs j JOIN tasks t ON t.id = j.task_id
      WHERE t.status = 'QUEUED' AND j.id < (SELECT id FROM jobs WHERE task_id = $1)`, [taskId])).rows[0];
    const r = (await this.pool.query<{ n: number; eta: number }>(`SELECT COUNT(*) AS n, COALESCE(SUM(eta_s), 0) AS eta FROM tasks WHERE status = 'PROCESSING'`)).rows[0];
    return { ahead: a.ahead, aheadClipS: a.clip, unknownAhead: a.unknown, ownClipS: own.d, runningEtaS: r.eta, running: r.n };
  }

  async secondsPerClipSecond(): Promise<number | null> {
    const r = (await this.pool.query<{ wall: number | null; clip: number | null }>(`SELECT SUM(complete_ms - execute_ms) / 1000.0 AS wall,
      SUM(video_duration_s) AS clip FROM (SELECT complete_ms, execute_ms, video_duration_s FROM tasks
      WHERE status = 'SUCCEED' AND video_duration_s > 0 AND execute_ms IS NOT NULL ORDER BY complete_ms DESC LIMIT 50) recent`)).rows[0];
    return r.wall !== null && r.clip !== null && r.clip > 0 && r.wall > 0 ? r.wall / r.clip : null;
  }

  async countActive(owner: string): Promise<number> {
    return (await this.pool.query<{ n: number }>(`SELECT COUNT(*) AS n FROM tasks WHERE owner = $1 AND status IN ('QUEUED','PROCESSING')`, [owner])).rows[0].n;
  }

  async setVideoDuration(taskId: string, seconds: number): Promise<void> {
    await this.pool.query('UPDATE tasks SET video_duration_s = $1 WHERE id = $2', [seconds, taskId]);
  }

  async reserveIdempotencyKey(owner: string, key: string, r: IdempotencyReservation, nowMs: number, sinceMs: number): Promise<IdempotencyReservation | null> {
    return inTransaction(this.pool, async (c) => {
      const changed = await c.query(`INSERT INTO idempotency_keys (owner, key, body_hash, task_id, created_ms) VALUES ($1, $2, $3, $4, $5)
        ON CONFLICT (owner, key) DO UPDATE SET body_hash = EXCLUDED.body_hash, task_id = EXCLUDED.task_id, created_ms = EXCLUDED.created_ms
        WHERE idempotency_keys.created_ms < $6`, [owner, key, r.bodyHash, r.taskId, nowMs, sinceMs]);
      if (changed.rowCount === 1) return null;
      const row = (await c.query<{ taskId: string; bodyHash: string }>('SELECT task_id AS "taskId", body_hash AS "bodyHash" FROM idempotency_keys WHERE owner = $1 AND key = $2',
        [owner, key])).rows[0];
      return row ? { taskId: row.taskId, bodyHash: row.bodyHash } : null;
    });
  }

  async releaseIdempotencyKey(owner: string, key: string, taskId: string): Promise<void> {
    await this.pool.query('DELETE FROM idempotency_keys WHERE owner = $1 AND key = $2 AND task_id = $3', [owner, key, taskId]);
  }

  async deleteEndedBefore(beforeMs: number, limit: number): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const ids = (await c.query<{ id: string }>(`SELECT id FROM tasks WHERE status IN ('SUCCEED','FAILED') AND complete_ms < $1 AND inputs_deleted
        AND NOT EXISTS (SELECT 1 FROM webhook_outbox w WHERE w.task_id = tasks.id AND w.delivered_ms IS NULL AND NOT w.gave_up)
        ORDER BY complete_ms LIMIT $2 FOR UPDATE SKIP LOCKED`, [beforeMs, limit])).rows.map((r) => r.id);
      if (ids.length === 0) return 0;
      for (const table of ['webhook_outbox', 'jobs', 'idempotency_keys']) await c.query(`DELETE FROM ${table} WHERE task_id = ANY($1)`, [ids]);
      await c.query('DELETE FROM tasks WHERE id = ANY($1)', [ids]);
      return ids.length;
    });
  }

  async deleteIdempotencyBefore(beforeMs: number): Promise<number> {
    return (await this.pool.query('DELETE FROM idempotency_keys WHERE created_ms < $1', [beforeMs])).rowCount ?? 0;
  }
}
