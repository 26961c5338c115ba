/**
 * Fencing: two workers on one database, with a lease short enough to expire mid-task (worker A's heartbeat
 * is frozen, as in a long GC pause or a stopped VM). Worker B takes the task over. Whatever A does after
 * that — finish its engine, or notice the loss at its next heartbeat — the task has one outcome, one result
 * object and one webhook delivery, all from B.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/config/logger.js';
import type { AnimateRequest, AnimateResult, EngineProgress, MotionEngine } from '../../src/engine/types.js';
import { LeaseLostError } from '../../src/tasks/job-runner.js';
import { resultsDir, workDir } from '../../src/tasks/paths.js';
import type { JobLease, JobQueue } from '../../src/tasks/types.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { FfmpegEngineDouble } from '../helpers/service-engine-double.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { pollUntilEnded, startService, type Service } from '../helpers/service-harness.js';

/** A queue whose heartbeats can be frozen (they answer "fine" without renewing), and which reports claims. */
class ObservedQueue implements JobQueue {
  frozen = false;
  readonly claims: JobLease[] = [];
  private claimed: (() => void) | null = null;
  readonly firstClaim = new Promise<void>((resolve) => { this.claimed = resolve; });
  constructor(private readonly inner: JobQueue) {}
  async claim(nowMs: number, leaseMs: number, maxAttempts: number): Promise<JobLease | null> {
    const l = await this.inner.claim(nowMs, leaseMs, maxAttempts);
    if (l) { this.claims.push(l); this.claimed?.(); }
    return l;
  }
  heartbeat(lease: JobLease, nowMs: number, leaseMs: number): Promise<boolean> {
    return this.frozen ? Promise.resolve(true) : this.inner.heartbeat(lease, nowMs, leaseMs);
  }
  complete(lease: JobLease): Promise<void> { return this.inner.complete(lease); }
  release(lease: JobLease): Promise<void> { return this.inner.release(lease); }
  retry(lease: JobLease): Promise<void> { return this.inner.retry(lease); }
}

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

/** Worker A's engine: starts, then waits for `until` (or its abort) before really encoding (a video without sound, so its bytes differ from B's). */
class GatedEngine implements MotionEngine {
  abortedWith: unknown = undefined;
  finished = false;
  outputSha = '';
  started: Promise<void>;
  private onStart: (() => void) | null = null;
  constructor(private readonly until: Promise<void>, private readonly inner = new FfmpegEngineDouble()) {
    this.started = new Promise((resolve) => { this.onStart = resolve; });
  }
  ready(): Promise<void> { return Promise.resolve(); }
  close(): Promise<void> { return Promise.resolve(); }
  async animate(req: AnimateRequest, onProgress: (p: EngineProgress) => void, signal?: AbortSignal): Promise<AnimateResult> {
    this.onStart?.();
    await new Promise<void>((resolve, reject) => {
      void this.until.then(resolve);
      signal?.addEventListener('abort', () => { this.abortedWith = signal.reason; reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')); }, { once: true });
    });
    const r = await this.inner.animate({ ...req, keepOriginalSound: false }, onProgress, signal);
    this.outputSha = await sha256(r.outputPath);
    this.finished = true;
    return r;
  }
}

/** Worker B's engine: the double, announcing its start and remembering what it made. */
class WatchedEngine extends FfmpegEngineDouble {
  outputSha = '';
  private onStart: (() => void) | null = null;
  readonly started = new Promise<void>((resolve) => { this.onStart = resolve; });
  override async animate(req: AnimateRequest, onProgress: (p: EngineProgress) => void, signal?: AbortSignal): Promise<AnimateResult> {
    this.onStart?.();
    const r = await super.animate(req, onProgress, signal);
    this.outputSha = await sha256(r.outputPath);
    return r;
  }
}

describe('fencing: one outcome per task with two workers and a lease that expires mid-task', () => {
  let media: string;
  let image: string;
  let video: string;
  let svc: Service | undefined;
  const workers: TaskWorker[] = [];

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-fence-'));
    image = (await readFile(await makePng(media))).toString('base64');
    video = (await readFile(await makeMp4(media, { seconds: 3 }))).toString('base64');
  });
  afterEach(async () => {
    for (const w of workers.splice(0)) await w.stop(1000);
    await svc?.close();
    svc = undefined;
  });
  afterAll(async () => { await rm(media, { recursive: true, force: true }); });

  async function setUp(): Promise<{ s: Service; taskId: string; qa: ObservedQueue; qb: ObservedQueue }> {
    // API only in the harness; the two workers are made here, both on the harness's database.
    const s = await startService({ env: { MARIONETTE_LEASE_S: '2', MARIONETTE_MAX_ATTEMPTS: '5', MARIONETTE_ALLOW_HOSTS: '127.0.0.1' } });
    svc = s;
    const r = await s.app.inject({ method: 'POST', url: '/v3/async/kling-v2.6-pro-motion-control', headers: { authorization: s.apiKey },
      payload: { image, video, character_orientation: 'video', extra: { webhook: { url: 'http://127.0.0.1:9/hook' } } } });
    expect(r.statusCode).toBe(200);
    return { s, taskId: (r.json() as { task_id: string }).task_id, qa: new ObservedQueue(s.backend.queue), qb: new ObservedQueue(s.backend.queue) };
  }

  function worker(s: Service, queue: JobQueue, engine: MotionEngine, onLeaseLost?: (l: JobLease) => void): TaskWorker {
    const w = new TaskWorker({ config: s.config, tasks: s.backend.tasks, queue, storage: s.storage, engine, logger: createLogger('silent'),
      pollIntervalMs: 50, progressIntervalMs: 50, onLeaseLost });
    workers.push(w);
    w.start();
    return w;
  }

  async function expectOneOutcome(s: Service, taskId: string): Promise<void> {
    const end = (await pollUntilEnded(s, taskId)).pop()!;
    expect(end.task.status).toBe('TASK_STATUS_SUCCEED');
    expect(end.videos).toHaveLength(1);
    const rows = s.backend.db.prepare('SELECT count(*) AS n FROM webhook_outbox WHERE task_id = ?').get(taskId) as { n: number };
    expect(rows.n).toBe(1);
    expect((await readdir(resultsDir(s.dir))).filter((n) => n.startsWith(taskId))).toEqual([`${taskId}.mp4`]);
    const file = await fetch(end.videos[0].video_url);
    expect(file.status).toBe(200);
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  }

  it('an attempt that finishes after losing its lease can neither upload nor end the task', async () => {
    const { s, taskId, qa, qb } = await setUp();
    const engineB = new WatchedEngine({ stepDelayMs: 1000 });
    // A finishes while B is still at work: only the fence tells A's result from B's.
    const engineA = new GatedEngine(engineB.started);
    qa.frozen = true;
    worker(s, qa, engineA);
    await engineA.started;
    worker(s, qb, engineB);
    await qb.firstClaim; // after A's lease expired: attempt 2
    expect(qb.claims[0]).toMatchObject({ taskId, attempt: 2 });
    await expect.poll(() => engineA.finished, { timeout: 20_000 }).toBe(true);
    await expect.poll(() => workers[0].activeCount, { timeout: 20_000 }).toBe(0);
    await expectOneOutcome(s, taskId);
    expect(engineA.abortedWith).toBeUndefined();
    expect(engineB.requests).toHaveLength(1);
    // the stored result is B's video, not A's
    expect(await sha256(path.join(resultsDir(s.dir), `${taskId}.mp4`))).toBe(engineB.outputSha);
    expect(engineA.outputSha).not.toBe(engineB.outputSha);
    // each attempt had its own scratch folder, and both are gone
    expect(path.dirname(engineB.requests[0].outputPath)).not.toBe(workDir(s.dir, taskId));
    await expect(readdir(workDir(s.dir, taskId))).rejects.toThrow();
  });

  it('an attempt whose heartbeat finds the lease lost aborts its engine', async () => {
    const { s, taskId, qa, qb } = await setUp();
    const engineA = new GatedEngine(new Promise(() => {})); // never finishes by itself
    const lost: JobLease[] = [];
    qa.frozen = true;
    worker(s, qa, engineA, (l) => lost.push(l));
    await engineA.started;
    const engineB = new FfmpegEngineDouble({ stepDelayMs: 300 });
    worker(s, qb, engineB);
    await qb.firstClaim;
    qa.frozen = false; // A's next heartbeat reaches the queue and learns the lease is gone
    await expect.poll(() => engineA.abortedWith, { timeout: 10_000 }).toBeInstanceOf(LeaseLostError);
    expect(lost.map((l) => l.attempt)).toEqual([1]);
    await expectOneOutcome(s, taskId);
    expect(engineA.finished).toBe(false);
  });
});
