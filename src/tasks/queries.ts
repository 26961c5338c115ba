/**
 * What the job-service routes need beyond TaskStore: listing, cancel, queue position, per-key counts, idempotency
 * keys and the retention of ended rows. Storage-engine free, like types.ts.
 */
import type { TaskStatus } from '../domain/task-status.js';
import type { TaskStatusView } from './types.js';

/** Where a listing page starts: strictly older than this (submit time, then id). */
export interface ListCursor { submitMs: number; id: string }

export interface ListQuery { owner: string; status?: TaskStatus; limit: number; before?: ListCursor }

export type CancelResult = 'canceled' | 'ended' | 'not-found';

/** What is ahead of a QUEUED task. */
export interface QueueSnapshot {
  /** QUEUED tasks whose jobs were enqueued before this one. */
  ahead: number;
  /** Their clip seconds where known, and how many are not known yet. */
  aheadClipS: number;
  unknownAhead: number;
  /** The task's own clip length, when known. */
  ownClipS: number | null;
  /** Sum of the running tasks' remaining ETAs, and how many run. */
  runningEtaS: number;
  running: number;
}

export interface IdempotencyReservation { taskId: string; bodyHash: string }

export interface TaskQueries {
  listTasks(q: ListQuery): Promise<TaskStatusView[]>;
  /** Ends a QUEUED or PROCESSING task of `owner` FAILED with `reason` (webhook row in the same transaction). */
  cancelTask(id: string, owner: string, reason: string, nowMs: number): Promise<CancelResult>;
  queueSnapshot(taskId: string): Promise<QueueSnapshot | null>;
  /** Mean wall seconds per clip second over recent successful tasks; null with no history. */
  secondsPerClipSecond(): Promise<number | null>;
  countActive(owner: string): Promise<number>;
  setVideoDuration(taskId: string, seconds: number): Promise<void>;
  /**
   * Reserves `key` for `taskId`; if a reservation newer than `sinceMs` exists, returns it instead (and reserves
   * nothing). Older ones are replaced.
   */
  reserveIdempotencyKey(owner: string, key: string, r: IdempotencyReservation, nowMs: number, sinceMs: number): Promise<IdempotencyReservation | null>;
  releaseIdempotencyKey(owner: string, key: string, taskId: string): Promise<void>;
  /** Deletes up to `limit` ended tasks (inputs gone) completed before `beforeMs`, with their webhook rows; returns how many. */
  deleteEndedBefore(beforeMs: number, limit: number): Promise<number>;
  deleteIdempotencyBefore(beforeMs: number): Promise<number>;
}

/** Opaque to clients: base64url of "submitMs:id" (pure). */
export function encodeCursor(c: ListCursor): string {
  return Buffer.from(`${c.submitMs}:${c.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(s: string): ListCursor | null {
  const text = Buffer.from(s, 'base64url').toString('utf8');
  const m = /^(\d{1,16}):([A-Za-z0-9_-]{1,200})$/.exec(text);
  return m ? { submitMs: Number(m[1]), id: m[2] } : null;
}

/** Used until a task has succeeded here (the README's figure is about 1.3 on 2 cores). */
export const DEFAULT_SECONDS_PER_CLIP_SECOND = 2;
/** A clip of unknown length (URL input not fetched yet) counts as this long. */
export const ASSUMED_CLIP_S = 10;

/** A QUEUED task's ETA: the work ahead of it and its own, spread over the workers, after the running tasks (pure). */
export function queuedEtaS(q: QueueSnapshot, secondsPerClipSecond: number | null, workers: number): number {
  const rate = secondsPerClipSecond ?? DEFAULT_SECONDS_PER_CLIP_SECOND;
  const clipAhead = q.aheadClipS + q.unknownAhead * ASSUMED_CLIP_S;
  const own = q.ownClipS ?? ASSUMED_CLIP_S;
  const lanes = Math.max(1, workers);
  // Every lane busy: the first one frees up after about the running tasks' mean remaining time.
  const runningWait = q.running >= lanes ? q.runningEtaS / q.running : 0;
  return Math.max(1, Math.round(runningWait + (clipAhead * rate) / lanes + own * rate));
}
