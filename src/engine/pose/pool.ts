/**
 * A pool of worker threads, each with its own wasm backend and the models loaded once
 * (wasm runs one thread in Node, so one worker per core is how inference scales).
 */
import { Worker } from 'node:worker_threads';
import { compiledSibling } from '../compiled-path.js';
import type { Pose, RasterImage, SoftMask } from '../types.js';
import type { CropRect } from './crop.js';
import type { Landmarks } from './blazepose.js';
import type { MoveNetModel, WorkerReply, WorkerRequest } from './protocol.js';

export type { CropRect } from './crop.js';

export interface PoseWorkerPool {
  /** Number of worker threads (callers size their in-flight work by it). */
  readonly threads: number;
  /** MoveNet single-pose on a crop of `frame` (crop in frame px, may extend outside: pad); result in frame px. */
  detect(frame: RasterImage, crop: CropRect, model: MoveNetModel): Promise<Pose>;
  /** detect, then BlazePose landmarks (with z) on a crop placed from that pose, in the same worker call. */
  detectWithLandmarks(frame: RasterImage, crop: CropRect, model: MoveNetModel): Promise<PoseWithLandmarks>;
  /** Selfie segmentation of a whole image; returns a soft mask at the image's size. */
  segment(image: RasterImage): Promise<SoftMask>;
  close(): Promise<void>;
}

export interface PoseWithLandmarks { pose: Pose; landmarks: Landmarks | null }

type Result = Pose | SoftMask | PoseWithLandmarks;

interface Pending {
  resolve: (v: Result) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  pending: Map<number, Pending>;
  alive: boolean;
  /** Fails every pending request and ends the thread (a hung or crashed worker). */
  fail(err: Error): void;
}

const INIT_TIMEOUT_MS = 120_000;
/** One frame's inference takes well under a second; a request this old means the thread hung. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export class PoseWorkerTimeoutError extends Error {
  constructor(ms: number) { super(`a pose worker did not answer within ${Math.round(ms / 1000)} s`); this.name = 'PoseWorkerTimeoutError'; }
}

export interface PoseWorkerPoolOptions {
  threads: number;
  /** A request not answered within this long fails, and its worker is ended. */
  requestTimeoutMs?: number;
  /** The worker script (tests inject a misbehaving one); the compiled worker.js by default. */
  workerFile?: string;
}

/** The image data as a standalone buffer that can be moved to a worker without copying a larger backing store. */
function portable(image: RasterImage): { image: RasterImage; transfer: ArrayBuffer[] } {
  const d = image.data;
  if (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength) return { image, transfer: [] };
  const copy = d.slice();
  return { image: { ...image, data: copy }, transfer: [copy.buffer] };
}

function startWorker(file: string): Promise<Slot> {
  return new Promise((resolve, reject) => {
    // No inherited execArgv: a TypeScript loader (tsx, vitest) in the worker hangs it on Node 20.
    const worker = new Worker(file, { execArgv: [], stderr: false });
    let crash = '';
    const slot: Slot = { worker, pending: new Map(), alive: true, fail: (err) => { fail(err); void worker.terminate(); } };
    let ready = false;
    const timer = setTimeout(() => {
      if (ready) return;
      void worker.terminate();
      reject(new Error(`pose worker did not load its models within ${INIT_TIMEOUT_MS / 1000} s`));
    }, INIT_TIMEOUT_MS);
    const fail = (err: Error) => {
      slot.alive = false;
      for (const p of slot.pending.values()) { clearTimeout(p.timer); p.reject(err); }
      slot.pending.clear();
      if (!ready) {
        clearTimeout(timer);
        reject(err);
      }
    };
    worker.on('message', (msg: WorkerReply) => {
      switch (msg.kind) {
        case 'ready':
          ready = true;
          clearTimeout(timer);
          resolve(slot);
          return;
        case 'init-error':
          fail(new Error(`pose worker failed to load models: ${msg.message}`));
          void worker.terminate();
          return;
        case 'crashed':
          crash = msg.message;
          return;
        case 'pose':
        case 'pose-landmarks':
        case 'mask':
        case 'error': {
          const p = slot.pending.get(msg.id);
          if (!p) return;
          slot.pending.delete(msg.id);
          clearTimeout(p.timer);
          if (msg.kind === 'error') p.reject(new Error(`pose worker: ${msg.message}`));
          else if (msg.kind === 'pose-landmarks') p.resolve({ pose: msg.pose, landmarks: msg.landmarks });
          else p.resolve(msg.kind === 'pose' ? msg.pose : msg.mask);
          return;
        }
      }
    });
    worker.on('error', (err) => fail(new Error(`pose worker crashed: ${err.message.slice(0, 500)}`)));
    worker.on('exit', (code) => fail(new Error(`pose worker exited (code ${code})${crash ? `: ${crash}` : ''}`)));
  });
}

export async function createPoseWorkerPool(o: PoseWorkerPoolOptions): Promise<PoseWorkerPool> {
  const threads = Math.max(1, Math.floor(o.threads));
  const file = o.workerFile ?? compiledSibling(import.meta.url, './worker.js');
  const timeoutMs = o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const started = await Promise.allSettled(Array.from({ length: threads }, () => startWorker(file)));
  const slots = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  let nextId = 1;
  let closed = false;

  function send<T extends Result>(make: (id: number) => WorkerRequest, transfer: ArrayBuffer[]): Promise<T> {
    if (closed) return Promise.reject(new Error('pose worker pool is closed'));
    const live = slots.filter((s) => s.alive);
    if (live.length === 0) return Promise.reject(new Error('no pose worker is running'));
    // The least busy worker; ties go to the first.
    const slot = live.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => slot.fail(new PoseWorkerTimeoutError(timeoutMs)), timeoutMs);
      slot.pending.set(id, { resolve: resolve as (v: Result) => void, reject, timer });
      slot.worker.postMessage(make(id), transfer);
    });
  }

  return {
    threads,
    detect(frame, crop, model) {
      const { image, transfer } = portable(frame);
      return send<Pose>((id) => ({ id, kind: 'detect', frame: image, crop, model }), transfer);
    },
    detectWithLandmarks(frame, crop, model) {
      const { image, transfer } = portable(frame);
      return send<PoseWithLandmarks>((id) => ({ id, kind: 'detect-landmarks', frame: image, crop, model }), transfer);
    },
    segment(input) {
      const { image, transfer } = portable(input);
      return send<SoftMask>((id) => ({ id, kind: 'segment', image }), transfer);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all(slots.map(async (s) => {
        s.alive = false;
        await s.worker.terminate();
      }));
    },
  };
}
