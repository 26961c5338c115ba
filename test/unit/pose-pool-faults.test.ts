/**
 * The pose pool against misbehaving worker threads (small scripts written here, no models): a worker that never
 * answers fails its request after the deadline and is ended; a stray exception in a worker ends the thread and
 * fails its pending request with the cause instead of leaving it unanswered.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoseWorkerPool, PoseWorkerTimeoutError } from '../../src/engine/pose/pool.js';
import type { RasterImage } from '../../src/engine/types.js';

const frame: RasterImage = { width: 4, height: 4, channels: 4, data: new Uint8Array(64) };
const crop = { x: 0, y: 0, width: 4, height: 4 };

describe('pose pool faults', () => {
  let dir: string;
  beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-posefault-')); });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  async function script(name: string, body: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, `import { parentPort } from 'node:worker_threads';\n${body}\nparentPort.postMessage({ kind: 'ready' });\n`);
    return file;
  }

  it('fails a request that a hung worker never answers, then refuses work when no worker is left', async () => {
    const workerFile = await script('silent.mjs', "parentPort.on('message', () => { /* never answers */ });");
    const pool = await createPoseWorkerPool({ threads: 1, requestTimeoutMs: 300, workerFile });
    try {
      const err = await pool.detect(frame, crop, 'lightning').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PoseWorkerTimeoutError);
      expect((err as Error).message).toMatch(/did not answer within/);
      await expect(pool.detect(frame, crop, 'lightning')).rejects.toThrow(/no pose worker is running/);
    } finally {
      await pool.close();
    }
  });

  it('a stray exception ends the worker and fails its pending request with the cause', async () => {
    const workerFile = await script('throws.mjs', `
process.on('uncaughtException', (err) => { parentPort.postMessage({ kind: 'crashed', message: String(err.message) }); process.exit(1); });
parentPort.on('message', () => { setTimeout(() => { throw new Error('wasm heap corrupted'); }, 10); });`);
    const pool = await createPoseWorkerPool({ threads: 1, requestTimeoutMs: 30_000, workerFile });
    try {
      await expect(pool.detect(frame, crop, 'lightning')).rejects.toThrow(/pose worker exited \(code 1\): wasm heap corrupted/);
    } finally {
      await pool.close();
    }
  });
});
