/** TaskStore on SQLite: prepared statements, forward-only status guards in SQL. */
import type { CharacterOrientation } from '../../domain/orientation.js';
import { allowedFrom, type TaskStatus } from '../../domain/task-status.js';
import type { NewTask, TaskInput, TaskOutcome, TaskRecord, TaskStatusView, TaskStore } from '../types.js';
import type { Db } from './db.js';
import { randomUUID } from 'node:crypto';

interface TaskRow {
  id: string; owner: string; status: TaskStatus; reason: string; progress: number; eta_s: number;
  orientation: CharacterOrientation; keep_original_sound: number; prompt: string; negative_prompt: string;
  webhook_url: string | null; image_json: string; video_json: string; submit_ms: number; video_duration_s: number | null;
  execute_ms: number | null; complete_ms: number | null; result_key: string | null; inputs_deleted: number;
}

function toRecord(r: TaskRow): TaskRecord {
  return {
    id: r.id, owner: r.owner, status: r.status, reason: r.reason, progress: r.progress, etaS: r.eta_s,
    orientation: r.orientation, keepOriginalSound: r.keep_original_sound === 1, prompt: r.prompt,
    negativePrompt: r.negative_prompt, webhookUrl: r.webhook_url,
    image: JSON.parse(r.image_json) as TaskInput, video: JSON.parse(r.video_json) as TaskInput,
    submitMs: r.submit_ms, executeMs: r.execute_ms, completeMs: r.complete_ms, resultKey: r.result_key,
    inputsDeleted: r.inputs_deleted === 1, videoDurationS: r.video_duration_s,
  };
}

const inList = (s: TaskStatus[]) => s.map((x) => `'${x}'`).join(',');

export class SqliteTaskStore implements TaskStore {
  private readonly insertTask;
  private readonly insertJob;
  private readonly selectTask;
  private readonly selectStatus;
  private readonly toProcessing;
  private readonly setProgress;
  private readonly selectHolds;
  private readonly setImage;
  private readonly setVideo;
  private readonly toSucceed;
  private readonly toFailed;
  private readonly insertOutbox;
  private readonly selectEndedWithInputs;
  private readonly setInputsDeleted;

  constructor(private readonly db: Db) {
    this.insertTask = db.prepare(`INSERT INTO tasks (id, owner, status, orientation, keep_original_sound, prompt, negative_prompt,
      webhook_url, image_json, video_json, submit_ms, video_duration_s) VALUES (@id, @owner, 'QUEUED', @orientation, @keep, @prompt, @negativePrompt,
      @webhookUrl, @image, @video, @submitMs, @durationS)`);
    this.insertJob = db.prepare('INSERT INTO jobs (task_id, created_ms) VALUES (?, ?)');
    this.selectTask = db.prepare('SELECT * FROM tasks WHERE id = ?');
    this.selectStatus = db.prepare(`SELECT id, owner, status, reason, progress, eta_s AS etaS, submit_ms AS submitMs, execute_ms AS executeMs,
      complete_ms AS completeMs, result_key AS resultKey FROM tasks WHERE id = ?`);
    this.toProcessing = db.prepare(`UPDATE tasks SET status = 'PROCESSING', execute_ms = COALESCE(execute_ms, @now),
      attempt_token = COALESCE(@fence, attempt_token) WHERE id = @id AND status IN ('QUEUED','PROCESSING')`);
    this.setProgress = db.prepare(`UPDATE tasks SET progress = MAX(progress, MIN(99, @p)), eta_s = @eta
      WHERE id = @id AND status = 'PROCESSING' AND (@fence IS NULL OR attempt_token = @fence)`);
    const setInput = (column: string) => db.prepare(`UPDATE tasks SET ${column} = @json
      WHERE id = @id AND attempt_token = @fence AND status IN ('QUEUED','PROCESSING')`);
    this.setImage = setInput('image_json');
    this.setVideo = setInput('video_json');
    this.selectHolds = db.prepare(`SELECT 1 AS ok FROM tasks WHERE id = ? AND attempt_token = ? AND status IN ('QUEUED','PROCESSING')`);
    this.toSucceed = db.prepare(`UPDATE tasks SET status = 'SUCCEED', progress = 100, eta_s = 0, reason = '', result_key = @key,
      complete_ms = @now, execute_ms = COALESCE(execute_ms, @now) WHERE id = @id AND status IN (${inList(allowedFrom('SUCCEED'))})
      AND (@fence IS NULL OR attempt_token = @fence)`);
    this.toFailed = db.prepare(`UPDATE tasks SET status = 'FAILED', eta_s = 0, reason = @reason, complete_ms = @now
      WHERE id = @id AND status IN (${inList(allowedFrom('FAILED'))}) AND (@fence IS NULL OR attempt_token = @fence)`);
    this.insertOutbox = db.prepare(`INSERT INTO webhook_outbox (id, task_id, url, next_attempt_ms)
      SELECT @msgId, id, webhook_url, @now FROM tasks WHERE id = @id AND webhook_url IS NOT NULL`);
    this.selectEndedWithInputs = db.prepare(`SELECT * FROM tasks WHERE inputs_deleted = 0 AND status IN ('SUCCEED','FAILED') LIMIT ?`);
    this.setInputsDeleted = db.prepare('UPDATE tasks SET inputs_deleted = 1 WHERE id = ?');
  }

  async createTask(t: NewTask): Promise<void> {
    this.db.transaction(() => {
      this.insertTask.run({
        id: t.id, owner: t.owner, orientation: t.orientation, keep: t.keepOriginalSound ? 1 : 0, prompt: t.prompt,
        negativePrompt: t.negativePrompt, webhookUrl: t.webhookUrl, image: JSON.stringify(t.image), video: JSON.stringify(t.video),
        submitMs: t.submitMs, durationS: t.videoDurationS ?? null,
      });
      this.insertJob.run(t.id, t.submitMs);
    })();
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const row = this.selectTask.get(id) as TaskRow | undefined;
    return row ? toRecord(row) : null;
  }

  async getTaskStatus(id: string): Promise<TaskStatusView | null> {
    return (this.selectStatus.get(id) as TaskStatusView | undefined) ?? null;
  }

  async markProcessing(id: string, nowMs: number, fence?: string): Promise<boolean> {
    return (this.toProcessing.run({ id, now: nowMs, fence: fence ?? null }).changes === 1);
  }

  async updateProgress(id: string, percent: number, etaS: number, fence?: string): Promise<void> {
    this.setProgress.run({ id, p: Math.floor(percent), eta: Math.max(0, Math.round(etaS)), fence: fence ?? null });
  }

  async storeFetchedInput(id: string, field: 'image' | 'video', input: TaskInput, fence: string): Promise<boolean> {
    return (field === 'image' ? this.setImage : this.setVideo).run({ id, json: JSON.stringify(input), fence }).changes === 1;
  }

  async holdsTask(id: string, fence: string): Promise<boolean> {
    return this.selectHolds.get(id, fence) !== undefined;
  }

  async finishTask(id: string, o: TaskOutcome, fence?: string): Promise<boolean> {
    const changed = this.db.transaction(() => {
      const r = o.status === 'SUCCEED'
        ? this.toSucceed.run({ id, key: o.resultKey, now: o.completeMs, fence: fence ?? null })
        : this.toFailed.run({ id, reason: o.reason, now: o.completeMs, fence: fence ?? null });
      if (r.changes !== 1) return false;
      this.insertOutbox.run({ id, msgId: `msg_${randomUUID().replace(/-/g, '')}`, now: o.completeMs });
      return true;
    })();
    return (changed);
  }

  async listEndedWithInputs(limit: number): Promise<TaskRecord[]> {
    return ((this.selectEndedWithInputs.all(limit) as TaskRow[]).map(toRecord));
  }

  async markInputsDeleted(id: string): Promise<void> {
    this.setInputsDeleted.run(id);
  }
}
