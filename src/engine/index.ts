/**
 * The CPU engine as the task worker sees it: each task runs in a child process (pose models in
 * its worker threads), reporting progress over IPC; aborting a task kills its child.
 */
import { fork } from 'node:child_process';
import { access } from 'node:fs/promises';
import { ffmpegVersion } from '../media/ffmpeg.js';
import { modelsPresent } from './models/index.js';
import { compiledSibling } from './compiled-path.js';
import { deserializeError, type FromChild, type ToChild } from './child-protocol.js';
import { EngineCrashedError, looksOutOfMemory } from './errors.js';

export { EngineCrashedError } from './errors.js';
import type { AnimateRequest, AnimateResult, EngineProgress, MotionEngine } from './types.js';

export interface CpuEngineOptions {
  /** Pose-model worker threads per task. */
  threads: number;
  /** Called with the child's stderr tail when it fails, for the operator's log. */
  onLog?: (line: string) => void;
  /** Another program speaking the child protocol (the fault script's engine double); the compiled child.js by default. */
  childPath?: string;
}

const STDERR_TAIL = 4096;

/** Kills the child's whole process group (its ffmpeg children with it); the child leads its group. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ }
}

class ChildProcessEngine implements MotionEngine {
  private readonly childPath: string;

  constructor(private readonly o: CpuEngineOptions) {
    this.childPath = o.childPath ?? compiledSibling(import.meta.url, './child.js');
  }

  async ready(): Promise<void> {
    await access(this.childPath);
    const models = modelsPresent();
    if (!models.ok) throw new Error(`model files missing: ${models.missing.join(', ')}`);
    await ffmpegVersion();
  }

  animate(req: AnimateRequest, onProgress: (p: EngineProgress) => void, signal?: AbortSignal): Promise<AnimateResult> {
    return new Promise((resolve, reject) => {
      // detached: the child leads its own process group, so one kill reaches every ffmpeg it started.
      const child = fork(this.childPath, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced', detached: true });
      let killedByUs = false;
      let stderr = '';
      let settled = false;
      child.stderr?.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-STDERR_TAIL); });
      const finish = (err: Error | null, result?: AnimateResult) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err); else resolve(result!);
      };
      const onAbort = () => {
        killedByUs = true;
        killGroup(child.pid);
        finish(signal?.reason instanceof Error ? signal.reason : new Error('engine task aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      child.on('message', (msg: FromChild) => {
        switch (msg.type) {
          case 'progress': onProgress(msg.progress); break;
          case 'done': finish(null, msg.result); break;
          case 'failed': {
            if ('internal' in msg.error) this.o.onLog?.(`engine failed: ${msg.error.internal}\n${stderr}`);
            finish(deserializeError(msg.error));
            break;
          }
        }
      });
      child.on('error', (err) => finish(err));
      // Whatever it left running (an ffmpeg mid-pipe) goes with it; 'close' comes after its last message.
      child.on('exit', () => killGroup(child.pid));
      child.on('close', (code, sig) => {
        if (settled || killedByUs) return;
        this.o.onLog?.(`engine child exited (code ${code}, signal ${sig}): ${stderr}`);
        finish(new EngineCrashedError(code, sig, looksOutOfMemory(stderr)));
      });
      const msg: ToChild = { type: 'animate', req, threads: this.o.threads };
      child.send(msg);
    });
  }

  async close(): Promise<void> {
    // Each task's child exits by itself; nothing is held between tasks.
  }
}

export function createCpuEngine(o: CpuEngineOptions): MotionEngine {
  return new ChildProcessEngine(o);
}
