/** Engine failures that are not the task's fault. */

/**
 * The engine process died without answering (killed from outside, out of memory, a native crash). Like a dead
 * worker, this is not the task's fault: the worker gives the job another attempt.
 */
export class EngineCrashedError extends Error {
  constructor(readonly code: number | null, readonly signal: NodeJS.Signals | null, readonly outOfMemory: boolean) {
    super(outOfMemory ? 'the engine process ran out of memory'
      : signal === 'SIGKILL' ? 'the engine process was killed (SIGKILL: from outside, or by the system when memory ran out)'
        : `the engine process ended without answering (${signal ? `signal ${signal}` : `exit code ${code}`})`);
    this.name = 'EngineCrashedError';
  }
}

/** What Node and the wasm runtime print when memory runs out (pure). */
export function looksOutOfMemory(stderr: string): boolean {
  return /heap out of memory|Allocation failed|ENOMEM|out of memory/i.test(stderr);
}
