/** Where things live under the data dir. */
import path from 'node:path';

export function inputDir(dataDir: string, taskId: string): string {
  return path.join(dataDir, 'inputs', taskId);
}

/** Scratch space for a task's attempts (engine output before it moves into storage). */
export function workDir(dataDir: string, taskId: string): string {
  return path.join(dataDir, 'work', taskId);
}

/** One attempt's own scratch folder: two attempts at one task never share files. */
export function attemptDir(dataDir: string, taskId: string, attempt: number, token: string): string {
  return path.join(workDir(dataDir, taskId), `${attempt}-${token.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 40)}`);
}

export function resultsDir(dataDir: string): string {
  return path.join(dataDir, 'results');
}

