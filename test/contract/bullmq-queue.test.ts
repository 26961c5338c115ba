/**
 * What only the BullMQ queue has to prove, on throwaway Postgres and Redis servers: a lost lock is noticed and
 * fences the old attempt out; a killed worker's job is taken over; retries back off; cancels remove queued jobs
 * and stop running ones; queue positions; a task whose job Redis lost is enqueued again; no call waits forever.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type ReadyConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/config/logger.js';
import { LocalDiskStorage } from '../../src/storage/local/local-disk.js';
import { openBullmqBackend, type BullmqBackend } from '../../src/tasks/bullmq/index.js';
import { jobIdFor } from '../../src/tasks/bullmq/job-queue.js';
import { openPool } from '../../src/tasks/postgres/db.js';
import type { JobLease, NewTask } from '../../src/tasks/types.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { missingBackingServers, startPostgres, startRedis, type RunningServer } from '../helpers/backing-servers.js';
import { FfmpegEngineDouble } from '../helpers/service-engine-double.js';
import { makeMp4, makePng } from '../helpers/service-media.js';

const missing = missingBackingServers();
if (missing) console.warn(`bullmq queue tests skipped: ${missing}`);
const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers/bullmq-claim-child.ts');

const LEASE = 1000;
const STALLED_INTERVAL = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const task = (id: string, over: Partial<NewTask> = {}): NewTask => ({
  id, owner: 'o', orientation: 'video', keepOriginalSound: false, prompt: '', negativePrompt: '', webhookUrl: null,
  image: { kind: 'object', key: `in_${id}_image.png` }, video: { kind: 'object', key: `in_${id}_video.mp4` }, submitMs: Date.now(), videoDurationS: 2, ...over,
});

describe.skipIf(missing !== null)('bullmq queue on redis', () => {
  let pg: RunningServer;
  let redis: RunningServer;
  let dbCount = 0;
  const opened: BullmqBackend[] = [];

  beforeAll(async () => { [pg, redis] = await Promise.all([startPostgres(), startRedis()]); }, 60_000);
  afterAll(async () => {
    await Promise.all(opened.map((b) => b.close()));
    await Promise.all([pg?.close(), redis?.close()]);
  });

  /** A fresh database and key prefix; `n` backends on them, as `n` processes would open. */
  async function deployment(n: number, over: { retryBackoffMs?: number; redisUrl?: string; commandTimeoutMs?: number } = {}) {
    const name = `bq_${process.pid}_${dbCount++}`;
    const admin = openPool(pg.url, 1);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const databaseUrl = pg.url.replace(/\/postgres$/, `/${name}`);
    const backends: BullmqBackend[] = [];
    for (let i = 0; i < n; i++) {
      const b = await openBullmqBackend({ databaseUrl, redisUrl: over.redisUrl ?? redis.url, autoMigrate: true, prefix: name,
        commandTimeoutMs: over.commandTimeoutMs ?? 5000, stalledIntervalMs: STALLED_INTERVAL, retryBackoffMs: over.retryBackoffMs ?? 0 });
      backends.push(b);
      opened.push(b);
    }
    return { databaseUrl, prefix: name, backends };
  }

  async function claimWithin(b: BullmqBackend, ms: number, maxAttempts = 3): Promise<JobLease | null> {
    const until = Date.now() + ms;
    for (;;) {
      const l = await b.queue.claim(Date.now(), LEASE, maxAttempts);
      if (l || Date.now() > until) return l;
      await sleep(50);
    }
  }

  it('a lost lock: the old holder\'s heartbeat answers false and the store refuses its progress and its end', async () => {
    const { backends: [a, b] } = await deployment(2);
    await a.tasks.createTask(task('lost1'));
    const first = (await a.queue.claim(Date.now(), LEASE, 3))!;
    expect(first).toMatchObject({ taskId: 'lost1', attempt: 1 });
    expect(await a.tasks.markProcessing('lost1', Date.now(), first.token)).toBe(true);
    expect(await a.queue.heartbeat(first, Date.now(), LEASE)).toBe(true);
    // A stops heartbeating (a long pause); its lock expires and B's stalled check hands the job to B
    const second = await claimWithin(b, 10_000);
    expect(second).toMatchObject({ taskId: 'lost1', attempt: 2 });
    expect(second!.token).not.toBe(first.token);
    await b.tasks.markProcessing('lost1', Date.now(), second!.token);
    expect(await a.queue.heartbeat(first, Date.now(), LEASE)).toBe(false);
    await a.tasks.updateProgress('lost1', 80, 1, first.token);
    expect(await a.tasks.finishTask('lost1', { status: 'SUCCEED', resultKey: 'lost1.mp4', completeMs: Date.now() }, first.token)).toBe(false);
    await a.queue.complete(first); // stale: B's job stays
    expect(await b.queue.queue.getJobState(jobIdFor('lost1'))).toBe('active');
    expect((await b.tasks.getTaskStatus('lost1'))!).toMatchObject({ status: 'PROCESSING', progress: 0 });
    expect(await b.tasks.finishTask('lost1', { status: 'SUCCEED', resultKey: 'lost1.mp4', completeMs: Date.now() }, second!.token)).toBe(true);
    await b.queue.complete(second!);
    expect(await b.queue.queue.getJobState(jobIdFor('lost1'))).toBe('unknown');
    expect(await b.counts(Date.now())).toMatchObject({ succeeded: 1, leased: 0, waiting: 0, delayed: 0 });
  });

  it('a worker process killed with SIGKILL: its job is held while it heartbeats, then taken over', async () => {
    const { databaseUrl, prefix, backends: [b] } = await deployment(1);
    await b.tasks.createTask(task('killed1'));
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, databaseUrl, redis.url, prefix, String(LEASE), String(STALLED_INTERVAL)],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); if (out.includes('\n')) resolve(out.split('\n')[0]); });
      child.once('exit', (code) => reject(new Error(`the child exited ${code} before claiming`)));
    });
    const held = JSON.parse(line) as JobLease;
    expect(held).toMatchObject({ taskId: 'killed1', attempt: 1 });
    // alive and heartbeating: three lease lengths pass and nobody else gets the job
    expect(await claimWithin(b, 3 * LEASE)).toBeNull();
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const taken = await claimWithin(b, 10_000);
    expect(taken).toMatchObject({ taskId: 'killed1', attempt: 2 });
    await b.tasks.markProcessing('killed1', Date.now(), taken!.token);
    expect(await b.tasks.holdsTask('killed1', held.token)).toBe(false);
    expect(await b.tasks.finishTask('killed1', { status: 'FAILED', reason: 'X: y', completeMs: Date.now() }, held.token)).toBe(false);
    expect(await b.tasks.finishTask('killed1', { status: 'SUCCEED', resultKey: 'killed1.mp4', completeMs: Date.now() }, taken!.token)).toBe(true);
    await b.queue.complete(taken!);
  }, 30_000);

  it('a retry is counted and waits out its backoff, doubling', async () => {
    const { backends: [b] } = await deployment(1, { retryBackoffMs: 400 });
    await b.tasks.createTask(task('retry1'));
    const first = (await b.queue.claim(Date.now(), LEASE, 5))!;
    await b.queue.retry(first);
    expect(await b.counts(Date.now())).toMatchObject({ delayed: 1, waiting: 0, leased: 0 });
    expect(await b.queue.claim(Date.now(), LEASE, 5)).toBeNull(); // still backing off
    const second = await claimWithin(b, 5000, 5);
    expect(second).toMatchObject({ taskId: 'retry1', attempt: 2 });
    await b.queue.retry(second!);
    const job = await b.queue.queue.getJob(jobIdFor('retry1'));
    expect(job?.delay).toBe(800);
    expect(await claimWithin(b, 5000, 5)).toMatchObject({ taskId: 'retry1', attempt: 3 });
  });

  it('cancel: a queued task\'s job is removed; a running task\'s worker stops its engine and ends the job', async () => {
    const { backends: [api, wb] } = await deployment(2);
    await api.tasks.createTask(task('cq1'));
    expect(await api.queue.queue.getJobState(jobIdFor('cq1'))).toBe('waiting');
    expect(await api.queries.cancelTask('cq1', 'o', 'TASK_CANCELED: cancelled by the client', Date.now())).toBe('canceled');
    expect(await api.queue.queue.getJobState(jobIdFor('cq1'))).toBe('unknown');

    const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-bq-'));
    try {
      const storage = new LocalDiskStorage(path.join(dir, 'objects'));
      await storage.putFile('in_cr1_image.png', await makePng(dir));
      await storage.putFile('in_cr1_video.mp4', await makeMp4(dir, { seconds: 2, audio: false }));
      const config = loadConfig({ MARIONETTE_DATA_DIR: path.join(dir, 'data'), MARIONETTE_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 3).toString('base64')}`,
        MARIONETTE_URL_SIGNING_SECRET: 'u'.repeat(40), MARIONETTE_LEASE_S: '2' }) as ReadyConfig;
      const engine = new FfmpegEngineDouble({ hang: true });
      const worker = new TaskWorker({ config, tasks: wb.tasks, queue: wb.queue, queries: wb.queries, storage, engine, logger: createLogger('silent'),
        pollIntervalMs: 50, cancelPollMs: 100 });
      await api.tasks.createTask(task('cr1'));
      worker.start();
      try {
        const until = Date.now() + 20_000;
        while (engine.progress.length === 0 && Date.now() < until) await sleep(50);
        expect(engine.progress.length).toBeGreaterThan(0);
        expect(await api.queue.queue.getJobState(jobIdFor('cr1'))).toBe('active');
        // the cancel is taken by another process (the api): the worker learns it from the task's status
        expect(await api.queries.cancelTask('cr1', 'o', 'TASK_CANCELED: cancelled by the client', Date.now())).toBe('canceled');
        const gone = Date.now() + 10_000;
        while (worker.activeCount > 0 && Date.now() < gone) await sleep(50);
        expect(worker.activeCount).toBe(0);
        expect(await api.queue.queue.getJobState(jobIdFor('cr1'))).toBe('unknown');
        expect(await api.tasks.getTaskStatus('cr1')).toMatchObject({ status: 'FAILED', reason: 'TASK_CANCELED: cancelled by the client' });
        expect(await storage.stat('cr1.mp4')).toBeNull();
      } finally {
        await worker.stop(1000);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('queue position counts the queued tasks ahead, as Redis will hand them out', async () => {
    const { backends: [b] } = await deployment(1);
    for (const [i, id] of ['p1', 'p2', 'p3'].entries()) await b.tasks.createTask(task(id, { submitMs: Date.now() + i, videoDurationS: 3 + i }));
    expect(await b.queries.queueSnapshot('p3')).toMatchObject({ ahead: 2, aheadClipS: 7, ownClipS: 5 });
    const first = (await b.queue.claim(Date.now(), LEASE, 3))!;
    expect(first.taskId).toBe('p1');
    await b.tasks.markProcessing('p1', Date.now(), first.token);
    expect(await b.queries.queueSnapshot('p3')).toMatchObject({ ahead: 1, running: 1 });
    expect((await b.queue.claim(Date.now(), LEASE, 3))!.taskId).toBe('p2');
  });

  it('a task whose job Redis lost (an enqueue that failed, a Redis without its data) is enqueued again', async () => {
    const { backends: [b] } = await deployment(1);
    await b.tasks.createTask(task('rec1', { submitMs: Date.now() - 60_000 }));
    await b.tasks.createTask(task('rec2', { submitMs: Date.now() - 60_000 }));
    await b.tasks.markProcessing('rec2', Date.now(), 'an-attempt-whose-job-vanished');
    await b.queue.queue.obliterate({ force: true });
    expect(await b.queue.queue.getJobState(jobIdFor('rec1'))).toBe('unknown');
    expect(await b.queue.reconcile(Date.now())).toBe(2);
    expect(await b.queue.reconcile(Date.now())).toBe(0); // nothing twice
    const got = [(await b.queue.claim(Date.now(), LEASE, 3))!, (await b.queue.claim(Date.now(), LEASE, 3))!];
    expect(got.map((l) => l.taskId).sort()).toEqual(['rec1', 'rec2']);
  });

  it('a Redis that stops answering fails calls within the command deadline instead of hanging', async () => {
    const own = await startRedis();
    const { backends: [b] } = await deployment(1, { redisUrl: own.url, commandTimeoutMs: 500 });
    await b.tasks.createTask(task('down1'));
    expect(await b.queue.claim(Date.now(), LEASE, 3)).toMatchObject({ taskId: 'down1' });
    await own.close();
    await expect(b.queue.claim(Date.now(), LEASE, 3)).rejects.toThrow();
    await expect(b.ping()).rejects.toThrow();
    // the create still succeeds: the task is recorded in Postgres, and the reconciler enqueues it once Redis is back
    await b.tasks.createTask(task('down2'));
    expect((await b.tasks.getTaskStatus('down2'))!.status).toBe('QUEUED');
  }, 30_000);
});
