/**
 * Output frames rendered by worker threads, so rasterising uses every core while ffmpeg encodes.
 * Each worker holds one copy of the scene (rig, textures, plan, plate) and renders the frames it is
 * asked for; a frame is the same bytes whichever thread draws it (renderFrame is pure).
 */
import { Worker } from 'node:worker_threads';
import { compiledSibling } from './compiled-path.js';
import type { Character } from './character.js';
import type { RetargetPlan } from './retarget/retarget.js';
import type { StillRing } from './render/still-ring.js';

export interface RenderScene {
  character: Pick<Character, 'rig' | 'texture' | 'hiddenTexture'>;
  plan: RetargetPlan;
  plate: Uint8Array;
  /** The picture's rim pixels shown beside parts that stay put (null: the plate everywhere). */
  stillRing: StillRing | null;
}

export type ToRenderWorker =
  | { kind: 'scene'; scene: RenderScene }
  | { kind: 'frame'; id: number; t: number };

export type FromRenderWorker =
  | { kind: 'ready' }
  | { kind: 'frame'; id: number; frame: Uint8Array }
  | { kind: 'error'; id: number; message: string };

export interface FrameRenderPool {
  readonly threads: number;
  /** Gives every worker the scene; frames may be asked for once it resolves. */
  load(scene: RenderScene): Promise<void>;
  /** Frame t of the loaded scene (a fresh buffer, the caller's to keep). */
  frame(t: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** One frame takes tens of milliseconds; a request this old means the thread hung. */
export const RENDER_TIMEOUT_MS = 60_000;

interface Pending { resolve: (f: Uint8Array) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }

interface RenderThread {
  worker: Worker;
  pending: Map<number, Pending>;
  failure: Error | null;
  ready: Promise<void>;
}

function startThread(file: string, timeoutMs: number): RenderThread {
  // No inherited execArgv: a TypeScript loader (tsx, vitest) in a worker hangs it on Node 20.
  const worker = new Worker(file, { execArgv: [], stderr: false });
  const pending = new Map<number, Pending>();
  const thread: RenderThread = { worker, pending, failure: null, ready: Promise.resolve() };
  let onReady: (() => void) | null = null;
  let onFailBeforeReady: ((e: Error) => void) | null = null;
  thread.ready = new Promise<void>((resolve, reject) => { onReady = resolve; onFailBeforeReady = reject; });
  // Nothing may be left unhandled if the pool is closed before anyone awaits readiness.
  thread.ready.catch(() => undefined);
  const startTimer = setTimeout(() => fail(new Error(`a render thread did not start within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
  const fail = (err: Error): void => {
    clearTimeout(startTimer);
    thread.failure ??= err;
    onFailBeforeReady?.(err);
    for (const p of pending.values()) { clearTimeout(p.timer); p.reject(err); }
    pending.clear();
    void worker.terminate();
  };
  worker.on('message', (msg: FromRenderWorker) => {
    switch (msg.kind) {
      case 'ready':
        clearTimeout(startTimer);
        onReady?.();
        return;
      case 'frame':
      case 'error': {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        clearTimeout(p.timer);
        if (msg.kind === 'frame') p.resolve(msg.frame); else p.reject(new Error(`render thread: ${msg.message}`));
        return;
      }
    }
  });
  worker.on('error', (err) => fail(new Error(`render thread crashed: ${err.message.slice(0, 500)}`)));
  worker.on('exit', (code) => fail(new Error(`render thread exited (code ${code})`)));
  return thread;
}

/** Starts the threads now (they load their code while other stages run); the scene comes later. */
export function createFrameRenderPool(o: { threads: number; timeoutMs?: number; workerFile?: string }): FrameRenderPool {
  const file = o.workerFile ?? compiledSibling(import.meta.url, './frame-render-worker.js');
  const timeoutMs = o.timeoutMs ?? RENDER_TIMEOUT_MS;
  const threads = Array.from({ length: Math.max(1, Math.floor(o.threads)) }, () => startThread(file, timeoutMs));
  let nextId = 1;
  let closed = false;
  let loaded = false;

  const request = (thread: RenderThread, t: number): Promise<Uint8Array> => {
    if (thread.failure) return Promise.reject(thread.failure);
    const id = nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        thread.pending.delete(id);
        reject(new Error(`a render thread did not draw frame ${t} within ${Math.round(timeoutMs / 1000)} s`));
        void thread.worker.terminate();
      }, timeoutMs);
      thread.pending.set(id, { resolve, reject, timer });
      thread.worker.postMessage({ kind: 'frame', id, t } satisfies ToRenderWorker);
    });
  };

  return {
    threads: threads.length,
    async load(scene) {
      if (closed) throw new Error('the render pool is closed');
      await Promise.all(threads.map((th) => th.ready));
      // A copy per thread (structured clone); the caller keeps its own.
      for (const th of threads) th.worker.postMessage({ kind: 'scene', scene } satisfies ToRenderWorker);
      loaded = true;
    },
    frame(t) {
      if (closed) return Promise.reject(new Error('the render pool is closed'));
      if (!loaded) return Promise.reject(new Error('the render pool has no scene'));
      // Round robin: frames cost about the same, and the caller keeps a few in flight per thread.
      return request(threads[t % threads.length], t);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(threads.map((th) => th.worker.terminate()));
    },
  };
}
