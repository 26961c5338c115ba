/**
 * Character analysis in its own worker thread. Its long synchronous steps (mask, rig, plate
 * inpainting) would otherwise hold the main thread, which feeds the pose workers their video
 * frames: they would sit idle while it runs. The worker's model calls come back here and go to
 * the shared pose pool.
 */
import { Worker } from 'node:worker_threads';
import type { Character } from './character.js';
import { deserializeError, type FromChild } from './child-protocol.js';
import { compiledSibling } from './compiled-path.js';
import type { PoseWorkerPool } from './pose/pool.js';
import type { CropRect } from './pose/crop.js';
import type { MoveNetModel } from './pose/protocol.js';
import type { RasterImage } from './types.js';

type SerializedError = Extract<FromChild, { type: 'failed' }>['error'];

export type PoolCall =
  | { op: 'detect'; frame: RasterImage; crop: CropRect; model: MoveNetModel }
  | { op: 'segment'; image: RasterImage };

export type ToCharacterWorker =
  | { kind: 'analyze'; image: RasterImage; source: { width: number; height: number }; threads: number }
  | { kind: 'pool-reply'; id: number; ok: true; result: unknown }
  | { kind: 'pool-reply'; id: number; ok: false; message: string };

export type FromCharacterWorker =
  | ({ kind: 'pool'; id: number } & PoolCall)
  | { kind: 'done'; character: Character; cpuS: number }
  | { kind: 'failed'; error: SerializedError };

export interface CharacterAnalysis {
  character: Character;
  /** CPU seconds of the analysis thread itself (its model calls run in the pose pool). */
  cpuS: number;
}

/** Analysis of a 3 MP image takes seconds; this long means the thread hung. */
export const CHARACTER_TIMEOUT_MS = 300_000;

/** ArrayBuffers of `value`'s large typed arrays, each once (small ones are cheaper to copy). */
export function largeBuffers(value: unknown, minBytes = 1 << 20): ArrayBuffer[] {
  const found = new Set<ArrayBuffer>();
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) {
      if (v.buffer instanceof ArrayBuffer && v.buffer.byteLength >= minBytes) found.add(v.buffer);
      return;
    }
    for (const child of Object.values(v)) walk(child);
  };
  walk(value);
  return [...found];
}

function runPoolCall(pool: PoseWorkerPool, call: PoolCall): Promise<unknown> {
  switch (call.op) {
    case 'detect': return pool.detect(call.frame, call.crop, call.model);
    case 'segment': return pool.segment(call.image);
  }
}

export function analyzeCharacterInWorker(
  image: RasterImage, pool: PoseWorkerPool, source: { width: number; height: number },
  o: { signal?: AbortSignal; timeoutMs?: number; workerFile?: string } = {},
): Promise<CharacterAnalysis> {
  const file = o.workerFile ?? compiledSibling(import.meta.url, './character-worker.js');
  const timeoutMs = o.timeoutMs ?? CHARACTER_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    // No inherited execArgv: a TypeScript loader (tsx, vitest) in a worker hangs it on Node 20.
    const worker = new Worker(file, { execArgv: [], stderr: false });
    let settled = false;
    const finish = (err: Error | null, value?: CharacterAnalysis): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err); else resolve(value!);
    };
    const timer = setTimeout(() => finish(new Error(`character analysis did not finish within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    const onAbort = (): void => finish(o.signal?.reason instanceof Error ? o.signal.reason : new Error('character analysis aborted'));
    if (o.signal?.aborted) { onAbort(); return; }
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const post = (msg: ToCharacterWorker): void => { if (!settled) worker.postMessage(msg); };
    worker.on('message', (msg: FromCharacterWorker) => {
      switch (msg.kind) {
        case 'pool':
          runPoolCall(pool, msg).then(
            (result) => post({ kind: 'pool-reply', id: msg.id, ok: true, result }),
            (err: unknown) => post({ kind: 'pool-reply', id: msg.id, ok: false, message: err instanceof Error ? err.message : String(err) }),
          );
          return;
        case 'done': finish(null, { character: msg.character, cpuS: msg.cpuS }); return;
        case 'failed': finish(deserializeError(msg.error)); return;
      }
    });
    worker.on('error', (err) => finish(new Error(`character analysis thread crashed: ${err.message.slice(0, 500)}`)));
    worker.on('exit', (code) => finish(new Error(`character analysis thread exited (code ${code})`)));
    // A copy goes: the caller keeps its image.
    post({ kind: 'analyze', image, source, threads: pool.threads });
  });
}
