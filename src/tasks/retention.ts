/** The retention sweep: inputs go once their task has ended; results go after RESULT_TTL_S. */
import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../config/logger.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { inputDir, workDir } from './paths.js';
import type { TaskStore } from './types.js';

export interface SweepDeps {
  tasks: TaskStore;
  storage: ObjectStorage;
  dataDir: string;
  resultTtlS: number;
  logger: Logger;
  now?: () => number;
}

/** Input dirs with no task (a submit that crashed half way) are removed after this long. */
const ORPHAN_INPUT_AGE_MS = 3600_000;

export async function sweepOnce(d: SweepDeps): Promise<{ inputs: number; results: number; orphans: number }> {
  const now = (d.now ?? Date.now)();
  let inputs = 0;
  for (;;) {
    const ended = await d.tasks.listEndedWithInputs(100);
    if (ended.length === 0) break;
    for (const t of ended) {
      await rm(inputDir(d.dataDir, t.id), { recursive: true, force: true });
      await rm(workDir(d.dataDir, t.id), { recursive: true, force: true });
      await d.tasks.markInputsDeleted(t.id);
      inputs++;
    }
  }
  let results = 0;
  for (const key of await d.storage.listOlderThan(now - d.resultTtlS * 1000)) {
    await d.storage.delete(key);
    results++;
  }
  let orphans = 0;
  const root = path.join(d.dataDir, 'inputs');
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const s = await stat(path.join(root, name)).catch(() => null);
    if (!s || now - s.mtimeMs < ORPHAN_INPUT_AGE_MS) continue;
    if (await d.tasks.getTask(name)) continue;
    await rm(path.join(root, name), { recursive: true, force: true });
    orphans++;
  }
  if (inputs + results + orphans > 0) d.logger.info({ inputs, results, orphans }, 'retention sweep');
  return { inputs, results, orphans };
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
  run();
  return () => clearInterval(timer);
}
