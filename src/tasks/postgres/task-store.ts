/** TaskStore on Postgres: forward-only status guards and the attempt fence in SQL, as on SQLite. */
import { randomUUID } from 'node:crypto';
import type { CharacterOrientation } from '../../domain/orientation.js';
import { allowedFrom, type TaskStatus } from '../../domain/task-status.js';
import type { NewTask, TaskInput, TaskOutcome, TaskRecord, TaskStatusView, TaskStore } from '../types.js';
import { inTransaction, type Client, type Pool } from './db.js';

interface TaskRow {
  id: string; owner: string; status: TaskStatus; reason: string; progress: number; eta_s: number;
  orientation: CharacterOrientation; keep_original_sound: boolean; prompt: string; negative_prompt: string;
  webhook_url: string | null; image_json: string; video_json: string; submit_ms: number;
  execute_ms: number | null; complete_ms: number | null; result_key: string | null; inputs_deleted: boolean;
  video_duration_s: number | null;
}

export function toRecord(r: TaskRow): TaskRecord {
  return {
    id: r.id, owner: r.owner, status: r.status, reason: r.reason, progress: r.progress, etaS: r.eta_s,
    orientation: r.orientation, keepOriginalSound: r.keep_original_sound, prompt: r.prompt,
    negativePrompt: r.negative_prompt, webhookUrl: r.webhook_url,
    image: JSON.parse(r.image_json) as TaskInput, video: JSON.parse(r.video_json) as TaskInput,
    submitMs: r.submit_ms, executeMs: r.execute_ms, completeMs: r.complete_ms, resultKey: r.result_key,
    inputsDeleted: r.inputs_deleted, videoDurationS: r.video_duration_s,
  };
}

export const VIEW_COLUMNS = `id, owner, status, reason, progress, eta_s AS "etaS", submit_ms AS "submitMs", execute_ms AS "executeMs",
  complete_ms AS "completeMs", result_key AS "resultKey"`;

const inList = (s: TaskStatus[]) => s.map((x) => `'${x}'`).join(',');
export const newMessageId = () => `msg_${randomUUID().replace(/-/g, '')}`;

/** The outbox row for an ended task that has a webhook (called inside the transaction that ended it). */
export async function enqueueWebhook(c: Client, taskId: string, nowMs: number): Promise<void> {
  await c.query(`INSERT INTO webhook_outbox (id, task_id, url, next_attempt_ms)
    SELECT $1, id, webhook_url, $2 FROM tasks WHERE id = $3 AND webhook_url IS NOT NULL`, [newMessageId(), nowMs, taskId]);
}

export class PostgresTaskStore implements TaskStore {
  constructor(private readonly pool: Pool) {}

  async createTask(t: NewTask): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query(`INSERT INTO tasks (id, owner, status, orientation, keep_original_sound, prompt, negative_prompt, webhook_url,
        image_json, video_json, submit_ms, video_duration_s) VALUES ($1, $2, 'QUEUED', $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [t.id, t.owner, t.orientation, t.keepOriginalSound, t.prompt, t.negativePrompt, t.webhookUrl, JSON.stringify(t.image),
        JSON.stringify(t.video), t.submitMs, t.videoDurationS ?? null]);
      await c.query('INSERT INTO jobs (task_id, created_ms) VALUES ($1, $2)', [t.id, t.submitMs]);
    });
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const r = await this.pool.query<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
    return r.rows[0] ? toRecord(r.rows[0]) : null;
  }

  async getTaskStatus(id: string): Promise<TaskStatusView | null> {
    const r = await this.pool.query<TaskStatusView>(`SELECT ${VIEW_COLUMNS} FROM tasks WHERE id = $1`, [id]);
    return r.rows[0] ?? null;
  }

  async markProcessing(id: string, nowMs: number, fence?: string): Promise<boolean> {
    const r = await this.pool.query(`UPDATE tasks SET status = 'PROCESSING', execute_ms = COALESCE(execute_ms, $2),
      attempt_token = COALESCE($3, attempt_token) WHERE id = $1 AND status IN ('QUEUED','PROCESSING')`, [id, nowMs, fence ?? null]);
    return r.rowCount === 1;
  }

  async updateProgress(id: string, percent: number, etaS: number, fence?: string): Promise<void> {
    await this.pool.query(`UPDATE tasks SET progress = GREATEST(progress, LEAST(99, $2::int)), eta_s = $3
      WHERE id = $1 AND status = 'PROCESSING' AND ($4::text IS NULL OR attempt_token = $4)`,
    [id, Math.floor(percent), Math.max(0, Math.round(etaS)), fence ?? null]);
  }

  async storeFetchedInput(id: string, field: 'image' | 'video', input: TaskInput, fence: string): Promise<boolean> {
    const column = field === 'image' ? 'image_json' : 'video_json';
    const r = await this.pool.query(`UPDATE tasks SET ${column} = $2 WHERE id = $1 AND attempt_token = $3 AND status IN ('QUEUED','PROCESSING')`,
      [id, JSON.stringify(input), fence]);
    return r.rowCount === 1;
  }

  async holdsTask(id: string, fence: string): Promise<boolean> {
    const r = await this.pool.query(`SELECT 1 FROM tasks WHERE id = $1 AND attempt_token = $2 AND status IN ('QUEUED','PROCESSING')`, [id, fence]);
    return r.rowCount === 1;
  }

  async finishTask(id: string, o: TaskOutcome, fence?: string): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const r = o.status === 'SUCCEED'
        ? await c.query(`UPDATE tasks SET status = 'SUCCEED', progress = 100, eta_s = 0, reason = '', result_key = $2, complete_ms = $3,
            execute_ms = COALESCE(execute_ms, $3) WHERE id = $1 AND status IN (${inList(allowedFrom('SUCCEED'))})
            AND ($4::text IS NULL OR attempt_token = $4)`, [id, o.resultKey, o.completeMs, fence ?? null])
        : await c.query(`UPDATE tasks SET status = 'FAILED', eta_s = 0, reason = $2, complete_ms = $3
            WHERE id = $1 AND status IN (${inList(allowedFrom('FAILED'))}) AND ($4::text IS NULL OR attempt_token = $4)`,
        [id, o.reason, o.completeMs, fence ?? null]);
      if (r.rowCount !== 1) return false;
      await enqueueWebhook(c, id, o.completeMs);
      return true;
    });
  }

  async listEndedWithInputs(limit: number): Promise<TaskRecord[]> {
    const r = await this.pool.query<TaskRow>(`SELECT * FROM tasks WHERE inputs_deleted = FALSE AND status IN ('SUCCEED','FAILED') LIMIT $1`, [limit]);
    return r.rows.map(toRecord);
  }

  async markInputsDeleted(id: string): Promise<void> {
    await this.pool.query('UPDATE tasks SET inputs_deleted = TRUE WHERE id = $1', [id]);
  }
}
