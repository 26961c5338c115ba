/** TaskQueries on SQLite (listing, cancel, queue position, idempotency keys, row retention). */
import { randomUUID } from 'node:crypto';
import type { CancelResult, IdempotencyReservation, ListQuery, QueueSnapshot, TaskQueries } from '../queries.js';
import type { TaskStatusView } from '../types.js';
import type { Db } from './db.js';

const VIEW_COLUMNS = `id, owner, status, reason, progress, eta_s AS etaS, submit_ms AS submitMs, execute_ms AS executeMs,
  complete_ms AS completeMs, result_key AS resultKey`;

export class SqliteTaskQueries implements TaskQueries {
  private readonly cancelRow;
  private readonly deleteJob;
  private readonly insertOutbox;
  private readonly ownerStatus;
  private readonly aheadOf;
  private readonly runningEta;
  private readonly recentRate;
  private readonly active;
  private readonly setDuration;
  private readonly selectKey;
  private readonly upsertKey;
  private readonly deleteKey;
  private readonly oldEnded;

  constructor(private readonly db: Db) {
    this.cancelRow = db.prepare(`UPDATE tasks SET status = 'FAILED', eta_s = 0, reason = @reason, complete_ms = @now
      WHERE id = @id AND owner = @owner AND status IN ('QUEUED','PROCESSING')`);
    this.deleteJob = db.prepare('DELETE FROM jobs WHERE task_id = ?');
    this.insertOutbox = db.prepare(`INSERT INTO webhook_outbox (id, task_id, url, next_attempt_ms)
      SELECT @msgId, id, webhook_url, @now FROM tasks WHERE id = @id AND webhook_url IS NOT NULL`);
    this.ownerStatus = db.prepare('SELECT owner, status FROM tasks WHERE id = ?');
    this.aheadOf = db.prepare(`SELECT COUNT(*) AS ahead, COALESCE(SUM(t.video_duration_s), 0) AS clip,
      COALESCE(SUM(t.video_duration_s IS NULL), 0) AS unknown
      FROM jobs j JOIN tasks t ON t.id = j.task_id
      WHERE t.status = 'QUEUED' AND j.id < (SELECT id FROM jobs WHERE task_id = ?)`);
    this.runningEta = db.prepare(`SELECT COUNT(*) AS n, COALESCE(SUM(eta_s), 0) AS eta FROM tasks WHERE status = 'PROCESSING'`);
    this.recentRate = db.prepare(`SELECT SUM(complete_ms - execute_ms) / 1000.0 AS wall, SUM(video_duration_s) AS clip FROM (
      SELECT complete_ms, execute_ms, video_duration_s FROM tasks
      WHERE status = 'SUCCEED' AND video_duration_s > 0 AND execute_ms IS NOT NULL ORDER BY complete_ms DESC LIMIT 50)`);
    this.active = db.prepare(`SELECT COUNT(*) AS n FROM tasks WHERE owner = ? AND status IN ('QUEUED','PROCESSING')`);
    this.setDuration = db.prepare('UPDATE tasks SET video_duration_s = ? WHERE id = ?');
    this.selectKey = db.prepare('SELECT task_id AS taskId, body_hash AS bodyHash, created_ms AS createdMs FROM idempotency_keys WHERE owner = ? AND key = ?');
    this.upsertKey = db.prepare(`INSERT INTO idempotency_keys (owner, key, body_hash, task_id, created_ms) VALUES (@owner, @key, @hash, @taskId, @now)
      ON CONFLICT (owner, key) DO UPDATE SET body_hash = excluded.body_hash, task_id = excluded.task_id, created_ms = excluded.created_ms
      WHERE created_ms < @since`);
    this.deleteKey = db.prepare('DELETE FROM idempotency_keys WHERE owner = ? AND key = ? AND task_id = ?');
    this.oldEnded = db.prepare(`SELECT id FROM tasks WHERE status IN ('SUCCEED','FAILED') AND complete_ms < ? AND inputs_deleted = 1
      AND NOT EXISTS (SELECT 1 FROM webhook_outbox w WHERE w.task_id = tasks.id AND w.delivered_ms IS NULL AND w.gave_up = 0)
      ORDER BY complete_ms LIMIT ?`);
  }

  async listTasks(q: ListQuery): Promise<TaskStatusView[]> {
    const where = ['owner = @owner'];
    if (q.status) where.push('status = @status');
    if (q.before) where.push('(submit_ms < @beforeMs OR (submit_ms = @beforeMs AND id < @beforeId))');
    const sql = `SELECT ${VIEW_COLUMNS} FROM tasks WHERE ${where.join(' AND ')} ORDER BY submit_ms DESC, id DESC LIMIT @limit`;
    return this.db.prepare(sql).all({
      owner: q.owner, status: q.status ?? null, beforeMs: q.before?.submitMs ?? 0, beforeId: q.before?.id ?? '', limit: q.limit,
    }) as TaskStatusView[];
  }

  async cancelTask(id: string, owner: string, reason: string, nowMs: number): Promise<CancelResult> {
    return this.db.transaction((): CancelResult => {
      if (this.cancelRow.run({ id, owner, reason, now: nowMs }).changes === 1) {
        // A running worker sees its job gone (and the task ended) and stops its engine.
        this.deleteJob.run(id);
        this.insertOutbox.run({ id, msgId: `msg_${randomUUID().replace(/-/g, '')}`, now: nowMs });
        return 'canceled';
      }
      const row = this.ownerStatus.get(id) as { owner: string; status: string } | undefined;
      return !row || row.owner !== owner ? 'not-found' : 'ended';
    }).immediate();
  }

  async queueSnapshot(taskId: string): Promise<QueueSnapshot | null> {
    return this.db.transaction((): QueueSnapshot | null => {
      const own = this.db.prepare('SELECT video_duration_s AS d FROM tasks WHERE id = ?').get(taskId) as { d: number | null } | undefined;
      if (!own) return null;
      const a = this.aheadOf.get(taskId) as { ahead: number; clip: number; unknown: number };
      const r = this.runningEta.get() as { n: number; eta: number };
      return { ahead: a.ahead, aheadClipS: a.clip, unknownAhead: a.unknown, ownClipS: own.d, runningEtaS: r.eta, running: r.n };
    })();
  }

  async secondsPerClipSecond(): Promise<number | null> {
    const r = this.recentRate.get() as { wall: number | null; clip: number | null };
    return r.wall !== null && r.clip !== null && r.clip > 0 && r.wall > 0 ? r.wall / r.clip : null;
  }

  async countActive(owner: string): Promise<number> {
    return (this.active.get(owner) as { n: number }).n;
  }

  async setVideoDuration(taskId: string, seconds: number): Promise<void> {
    this.setDuration.run(seconds, taskId);
  }

  async reserveIdempotencyKey(owner: string, key: string, r: IdempotencyReservation, nowMs: number, sinceMs: number): Promise<IdempotencyReservation | null> {
    return this.db.transaction((): IdempotencyReservation | null => {
      const changed = this.upsertKey.run({ owner, key, hash: r.bodyHash, taskId: r.taskId, now: nowMs, since: sinceMs }).changes === 1;
      if (changed) return null;
      const row = this.selectKey.get(owner, key) as { taskId: string; bodyHash: string } | undefined;
      return row ? { taskId: row.taskId, bodyHash: row.bodyHash } : null;
    }).immediate();
  }

  async releaseIdempotencyKey(owner: string, key: string, taskId: string): Promise<void> {
    this.deleteKey.run(owner, key, taskId);
  }

  async deleteEndedBefore(beforeMs: number, limit: number): Promise<number> {
    return this.db.transaction((): number => {
      const ids = (this.oldEnded.all(beforeMs, limit) as { id: string }[]).map((r) => r.id);
      for (const id of ids) {
        this.db.prepare('DELETE FROM webhook_outbox WHERE task_id = ?').run(id);
        this.db.prepare('DELETE FROM jobs WHERE task_id = ?').run(id);
        this.db.prepare('DELETE FROM idempotency_keys WHERE task_id = ?').run(id);
        this.db.prepare('DELETE FROM tasks WHERE id = ?').run(id);
      }
      return ids.length;
    }).immediate();
  }

  async deleteIdempotencyBefore(beforeMs: number): Promise<number> {
    return this.db.prepare('DELETE FROM idempotency_keys WHERE created_ms < ?').run(beforeMs).changes;
  }
}
