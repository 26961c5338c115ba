/**
 * Persistence interfaces for tasks, jobs, API keys and the webhook outbox. No storage-engine types appear
 * here, so a Postgres or Redis implementation can follow the SQLite one. Every method is async for that reason.
 */
import type { CharacterOrientation } from '../domain/orientation.js';
import type { TaskStatus } from '../domain/task-status.js';

/** Where a task's input comes from: an object written to storage at submit time, or a URL the worker fetches. */
export type TaskInput = { kind: 'object'; key: string } | { kind: 'url'; url: string };

export interface NewTask {
  id: string;
  /** SHA-256 hex of the API key that created it. */
  owner: string;
  orientation: CharacterOrientation;
  keepOriginalSound: boolean;
  prompt: string;
  negativePrompt: string;
  webhookUrl: string | null;
  image: TaskInput;
  video: TaskInput;
  submitMs: number;
  /** The driving video's length, once known (inspected at submit, or by the worker for a URL). */
  videoDurationS?: number | null;
}

export interface TaskRecord extends NewTask {
  status: TaskStatus;
  reason: string;
  progress: number;
  etaS: number;
  executeMs: number | null;
  completeMs: number | null;
  /** Storage key of the result video once SUCCEED. */
  resultKey: string | null;
  inputsDeleted: boolean;
}

/** What the task-result body needs: a narrower, cheaper read than the whole record. */
export type TaskStatusView = Pick<TaskRecord, 'id' | 'owner' | 'status' | 'reason' | 'progress' | 'etaS' | 'submitMs' | 'executeMs' | 'completeMs' | 'resultKey'>;

export type TaskOutcome =
  | { status: 'SUCCEED'; resultKey: string; completeMs: number }
  | { status: 'FAILED'; reason: string; completeMs: number };

export interface TaskStore {
  /** Inserts the task (QUEUED) and enqueues its job, atomically. */
  createTask(task: NewTask): Promise<void>;
  getTask(id: string): Promise<TaskRecord | null>;
  getTaskStatus(id: string): Promise<TaskStatusView | null>;
  /**
   * QUEUED → PROCESSING (sets execute time once); false if the task already ended. With `fence` (the
   * attempt's lease token) the task records that attempt as the one holding it now; a later attempt replaces it.
   */
  markProcessing(id: string, nowMs: number, fence?: string): Promise<boolean>;
  /** Raises progress (never lowers it) and sets the ETA while PROCESSING (and, with `fence`, only for that attempt). */
  updateProgress(id: string, percent: number, etaS: number, fence?: string): Promise<void>;
  /**
   * The attempt holding the task (`fence`) wrote a fetched URL input to storage: the task names the object from
   * now on (later attempts read it, not the URL). false when that attempt no longer holds the task.
   */
  storeFetchedInput(id: string, field: 'image' | 'video', input: TaskInput, fence: string): Promise<boolean>;
  /** true while `fence` is the attempt holding the task (and the task has not ended). */
  holdsTask(id: string, fence: string): Promise<boolean>;
  /**
   * Ends the task (only forward) and, if it has a webhook, writes the outbox row in the same transaction.
   * With `fence` the end is accepted only from the attempt holding the task now (checked in that transaction).
   */
  finishTask(id: string, outcome: TaskOutcome, fence?: string): Promise<boolean>;
  /** Ended tasks whose inputs are still on disk. */
  listEndedWithInputs(limit: number): Promise<TaskRecord[]>;
  markInputsDeleted(id: string): Promise<void>;
}

export interface JobLease {
  jobId: string;
  taskId: string;
  /** 1 for the first claim. */
  attempt: number;
  /** Identifies this claim; a later claim of the same job gets another. */
  token: string;
}

export interface JobQueue {
  /**
   * Claims the oldest job that is free or whose lease expired. A job claimed more than maxAttempts times
   * fails its task (interrupted) instead of being handed out again.
   */
  claim(nowMs: number, leaseMs: number, maxAttempts: number): Promise<JobLease | null>;
  /** Renews the lease; false when the lease was lost (expired and claimed by another worker, or gone). */
  heartbeat(lease: JobLease, nowMs: number, leaseMs: number): Promise<boolean>;
  /** The job is done (its task ended). */
  complete(lease: JobLease): Promise<void>;
  /** Gives the job back without counting this attempt (graceful shutdown). */
  release(lease: JobLease): Promise<void>;
  /** Gives the job back now, this attempt counted (its engine process died, as a worker may). */
  retry(lease: JobLease): Promise<void>;
}

export interface ApiKeyRecord { id: string; hash: string; label: string; createdMs: number }

export interface ApiKeyStore {
  addKey(record: ApiKeyRecord): Promise<void>;
  /** The record whose hash equals `hash`, if any. */
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  countKeys(): Promise<number>;
}

export interface WebhookDelivery {
  /** Stable across retries: the `webhook-id` header. */
  id: string;
  taskId: string;
  url: string;
  /** Deliveries already tried. */
  attempts: number;
}

export interface WebhookOutbox {
  /** Due deliveries, each leased for `leaseMs` so two dispatchers don't send the same one at once. */
  claimDue(nowMs: number, leaseMs: number, limit: number): Promise<WebhookDelivery[]>;
  markDelivered(id: string, nowMs: number): Promise<void>;
  /** Records a failed try; `nextAttemptMs` null gives up. */
  markFailed(id: string, error: string, nextAttemptMs: number | null): Promise<void>;
  getDelivery(id: string): Promise<(WebhookDelivery & { deliveredMs: number | null; gaveUp: boolean; lastError: string }) | null>;
}
