/**
 * Base64 request inputs decoded and inspected off the API's event loop: a few worker threads check, decode,
 * write and inspect them (the inspection's ffprobe/ffmpeg spawns block the thread that starts them). Every decode has a deadline; a worker that fails or overruns is replaced and its
 * requests fail (a 500: ours, not the client's). Behind an interface so tests can watch the API use it.
 */
import { Worker } from 'node:worker_threads';
import { compiledSibling } from '../engine/compiled-path.js';
import { AppError, type ErrorMetadata, type ErrorReason } from '../domain/errors.js';
import type { CharacterOrientation } from '../domain/orientation.js';
import type { MediaField } from './decode-input.js';
import type { ImageInfo, VideoInfo } from './inspect.js';

export interface Base64Input { payload: string; what: string }
export type InspectedInput = { field: 'image'; info: ImageInfo } | { field: 'video'; info: VideoInfo };
export interface DecodedInput { bytes: number; /** The thread that did the work. */ threadId: number; inspected: InspectedInput }

export interface Base64Decoder {
  /**
   * Checks and decodes `input`, writes its bytes to `dest` and inspects the file (the contract's limits);
   * AppError (400/413) when the client's input is refused, another Error when we failed.
   */
  decodeAndInspect(field: MediaField, input: Base64Input, dest: string, orientation: CharacterOrientation): Promise<DecodedInput>;
  close(): Promise<void>;
}

export interface DecodeRequest { id: number; field: MediaField; payload: string; what: string; dest: string; orientation: CharacterOrientation }
export type DecodeReply =
  | ({ id: number } & DecodedInput)
  | { id: number; refused: { reason: ErrorReason; message: string; metadata?: ErrorMetadata } }
  | { id: number; failed: string };

interface Pending { resolve: (r: DecodedInput) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }
interface Thread { worker: Worker; pending: Map<number, Pending> }

/** Decoding and inspecting one input (the inspection's own ffmpeg deadlines are 60 s). */
const DECODE_TIMEOUT_MS = 90_000;

export class WorkerBase64Decoder implements Base64Decoder {
  private readonly threads: (Thread | null)[];
  private nextId = 1;
  private next = 0;
  private closed = false;
  private readonly file = compiledSibling(import.meta.url, './base64-worker.js');

  constructor(threads: number, private readonly timeoutMs = DECODE_TIMEOUT_MS) {
    this.threads = Array.from({ length: Math.max(1, threads) }, () => null);
  }

  decodeAndInspect(field: MediaField, input: Base64Input, dest: string, orientation: CharacterOrientation): Promise<DecodedInput> {
    if (this.closed) return Promise.reject(new Error('the base64 decoder is closed'));
    // The thread with the fewest decodes waiting (round robin among equals).
    const order = this.threads.map((_, i) => (this.next + i) % this.threads.length);
    const index = order.reduce((best, i) => ((this.threads[i]?.pending.size ?? 0) < (this.threads[best]?.pending.size ?? 0) ? i : best), order[0]);
    this.next = (index + 1) % this.threads.length;
    const thread = this.threads[index] ?? this.start(index);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void this.fail(index, thread, new Error(`decoding and inspecting the ${field} took longer than ${Math.round(this.timeoutMs / 1000)} s`));
      }, this.timeoutMs);
      thread.pending.set(id, { resolve, reject, timer });
      const msg: DecodeRequest = { id, field, payload: input.payload, what: input.what, dest, orientation };
      thread.worker.postMessage(msg);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.threads.map((t, i) => (t ? this.fail(i, t, new Error('the base64 decoder closed')) : undefined)));
  }

  private start(index: number): Thread {
    const worker = new Worker(this.file, { execArgv: [] });
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', (r: DecodeReply) => {
      const p = thread.pending.get(r.id);
      if (!p) return;
      thread.pending.delete(r.id);
      clearTimeout(p.timer);
      if ('bytes' in r) p.resolve({ bytes: r.bytes, threadId: r.threadId, inspected: r.inspected });
      else if ('refused' in r) p.reject(new AppError(r.refused.reason, r.refused.message, r.refused.metadata));
      else p.reject(new Error(`decoding failed: ${r.failed}`));
    });
    worker.on('error', (err) => { void this.fail(index, thread, err); });
    worker.on('exit', (code) => { void this.fail(index, thread, new Error(`the base64 decoder thread exited (code ${code})`)); });
    // An idle decoder does not keep the process alive.
    worker.unref();
    this.threads[index] = thread;
    return thread;
  }

  /** Fails the thread's decodes and ends it; the next decode starts a fresh one. */
  private async fail(index: number, thread: Thread, err: Error): Promise<void> {
    if (this.threads[index] === thread) this.threads[index] = null;
    for (const p of thread.pending.values()) { clearTimeout(p.timer); p.reject(err); }
    thread.pending.clear();
    await thread.worker.terminate().catch(() => undefined);
  }
}
