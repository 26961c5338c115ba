/**
 * The retention sweep: a task's inputs go once it has ended; results go after RESULT_TTL_S; inputs whose
 * task never came to exist (a submit that crashed half way) go after an hour. Storage is walked page by page.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../config/logger.js';
import { listAll, taskOfInputKey, type ObjectStorage } from '../storage/object-storage.js';
import { inputDir, resultsDir, workDir } from './paths.js';
import { isEnded } from '../domain/task-status.js';
import type { TaskQueries } from './queries.js';
import type { TaskStore } from './types.js';

export interface SweepDeps {
  tasks: TaskStore;
  storage: ObjectStorage;
  dataDir: string;
  resultTtlS: number;
  logger: Logger;
  now?: () => number;
  /** With these, ended task rows (and their delivered webhook rows) go after taskRetentionS, idempotency keys after a day. */
  queries?: Pick<TaskQueries, 'deleteEndedBefore' | 'deleteIdempotencyBefore'>;
  taskRetentionS?: number;
}

const IDEMPOTENCY_KEEP_MS = 24 * 3600_000;
/** A scratch dir untouched this long belongs to no running attempt (leases are renewed far more often). */
const STALE_SCRATCH_MS = 3600_000;

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Leftovers of processes that died mid-write: results/*.incoming-<pid> whose process is gone, and per-attempt
 * scratch dirs (work/<task>) of tasks that ended, no longer exist, or were not touched for an hour. Run at start.
 */
export async function sweepLeftovers(d: Pick<SweepDeps, 'tasks' | 'dataDir' | 'logger' | 'now'>): Promise<{ incoming: number; scratch: number }> {
  const now = (d.now ?? Date.now)();
  let incoming = 0;
  const results = resultsDir(d.dataDir);
  for (const name of await readdir(results).catch(() => [] as string[])) {
    // LocalDiskStorage's temp name: <dest>.incoming-<pid>-<random> (older ones had no random part).
    const m = /\.incoming-(\d+)(?:-[a-z0-9]+)?$/.exec(name);
    if (!m || Number(m[1]) === process.pid || pidAlive(Number(m[1]))) continue;
    await rm(path.join(results, name), { force: true });
    incoming++;
  }
  let scratch = 0;
  const work = path.join(d.dataDir, 'work');
  for (const name of await readdir(work).catch(() => [] as string[])) {
    const s = await stat(path.join(work, name)).catch(() => null);
    if (!s) continue;
    const task = await d.tasks.getTask(name);
    if (task && !isEnded(task.status) && now - s.mtimeMs < STALE_SCRATCH_MS) continue;
    await rm(path.join(work, name), { recursive: true, force: true });
    scratch++;
  }
  if (incoming + scratch > 0) d.logger.info({ incoming, scratch }, 'removed leftovers of earlier runs');
  return { incoming, scratch };
}

/** Inputs with no task are removed after this long. */
const ORPHAN_INPUT_AGE_MS = 3600_000;

export async function sweepOnce(d: SweepDeps): Promise<{ inputs: number; results: number; orphans: number; rows?: number }> {
  const now = (d.now ?? Date.now)();
  let inputs = 0;
  for (;;) {
    const ended = await d.tasks.listEndedWithInputs(100);
    if (ended.length === 0) break;
    for (const t of ended) {
      for (const input of [t.image, t.video]) if (input.kind === 'object') await d.storage.delete(input.key);
      await rm(inputDir(d.dataDir, t.id), { recursive: true, force: true });
      await rm(workDir(d.dataDir, t.id), { recursive: true, force: true });
      await d.tasks.markInputsDeleted(t.id);
      inputs++;
    }
  }
  let results = 0;
  let orphans = 0;
  const resultCutoff = now - d.resultTtlS * 1000;
  const doomed: string[] = [];
  for await (const o of listAll(d.storage)) {
    const owner = taskOfInputKey(o.key);
    if (owner === null) {
      if (o.modifiedMs < resultCutoff) { doomed.push(o.key); results++; }
    } else if (now - o.modifiedMs >= ORPHAN_INPUT_AGE_MS && !(await d.tasks.getTask(owner))) {
      doomed.push(o.key);
      orphans++;
    }
  }
  // Deleted after the walk, so no page shifts under the cursor.
  for (const key of doomed) await d.storage.delete(key);
  // Local upload scratch left by an API process that died mid-submit.
  const root = path.join(d.dataDir, 'inputs');
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const s = await stat(path.join(root, name)).catch(() => null);
    if (!s || now - s.mtimeMs < ORPHAN_INPUT_AGE_MS) continue;
    if (await d.tasks.getTask(name)) continue;
    await rm(path.join(root, name), { recursive: true, force: true });
    orphans++;
  }
  let rows = 0;
  if (d.queries && d.taskRetentionS !== undefined) {
    for (;;) {
      const n = await d.queries.deleteEndedBefore(now - d.taskRetentionS * 1000, 500);
      rows += n;
      if (n < 500) break;
    }
    await d.queries.deleteIdempotencyBefore(now - IDEMPOTENCY_KEEP_MS);
  }
  if (inputs + results + orphans + rows > 0) d.logger.info({ inputs, results, orphans, rows }, 'retention sweep');
  return { inputs, results, orphans, ...(d.queries ? { rows } : {}) };
}

/** Runs the sweep every `intervalMs`; returns a stop function. */
export function startRetention(d: SweepDeps, intervalMs = 60_000): () => void {
  let running = false;
  const run = () => {
    if (running) return;
    running = true;
    sweepOnce(d).catch((err: unknown) => d.logger.error({ err }, 'retention sweep failed')).finally(() => { running = false; });
  };
  const timer = setInterval(run, intervalMs);
  running = true;
  sweepLeftovers(d).catch((err: unknown) => d.logger.error({ err }, 'leftover sweep failed')).finally(() => { running = false; run(); });
  return () => clearInterval(timer);
}

