/** The task lifecycle as pure functions: QUEUED → PROCESSING → SUCCEED | FAILED, only forward. Every layer imports it from here. */

export const TASK_STATUSES = ['QUEUED', 'PROCESSING', 'SUCCEED', 'FAILED'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

const RANK: Record<TaskStatus, number> = { QUEUED: 0, PROCESSING: 1, SUCCEED: 2, FAILED: 2 };

export function isEnded(s: TaskStatus): boolean {
  return s === 'SUCCEED' || s === 'FAILED';
}

/** True when `from → to` moves forward (staying put is not a transition). */
export function canTransition(from: TaskStatus, to: TaskStatus): boolean {
  return !isEnded(from) && RANK[to] > RANK[from];
}

/** Statuses a task may be in for a move to `to` to be allowed (used as SQL guards). */
export function allowedFrom(to: TaskStatus): TaskStatus[] {
  return TASK_STATUSES.filter((s) => canTransition(s, to));
}

/** Progress shown while running: an integer that never decreases and reaches 100 only with SUCCEED. */
export function nextProgress(current: number, proposed: number, status: TaskStatus): number {
  if (status === 'SUCCEED') return 100;
  const capped = Math.min(99, Math.max(0, Math.floor(proposed)));
  return Math.max(current, capped);
}

export function wireStatus(s: TaskStatus): `TASK_STATUS_${TaskStatus}` {
  return `TASK_STATUS_${s}`;
}

/** Reason stored when the worker running a task vanished too many times. */
export function interruptedReason(attempts: number): string {
  return `INTERNAL_ERROR: processing was interrupted ${attempts} times (the worker stopped); try again`;
}

export const ENGINE_FAILED_REASON = 'INTERNAL_ERROR: the engine failed unexpectedly';
