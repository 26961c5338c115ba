/**
 * One contract for the task backend (TaskStore, JobQueue, ApiKeyStore, WebhookOutbox, counts), run against
 * SQLite, against Postgres and against Postgres + BullMQ on Redis (throwaway servers started here on free ports).
 * Leases run on the real clock, since BullMQ's locks expire in Redis by its clock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskBackend } from '../../src/tasks/backend.js';
import { migratePostgres, openPool, schemaVersion } from '../../src/tasks/postgres/db.js';
import { openPostgresBackend } from '../../src/tasks/postgres/index.js';
import { openSqliteBackend } from '../../src/tasks/sqlite/index.js';
import { openBullmqBackend } from '../../src/tasks/bullmq/index.js';
import type { JobLease, NewTask } from '../../src/tasks/types.js';
import { missingBackingServers, startPostgres, startRedis, type RunningServer } from '../helpers/backing-servers.js';

const missing = missingBackingServers();
if (missing) console.warn(`task backend contract: Postgres runs skipped: ${missing}`);

let pg: RunningServer | undefined;
let redis: RunningServer | undefined;
let dbCount = 0;
/** A fresh database per subject run, on the one server. */
async function freshPostgresUrl(): Promise<string> {
  pg ??= await startPostgres();
  const name = `contract_${process.pid}_${dbCount++}`;
  const admin = openPool(pg.url, 1);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return pg.url.replace(/\/postgres$/, `/${name}`);
}

interface Subject { name: string; skip: boolean; open(): Promise<{ backend: TaskBackend; close(): Promise<void> }> }
const subjects: Subject[] = [
  {
    name: 'sqlite', skip: false,
    async open() {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-contract-'));
      const backend = openSqliteBackend(path.join(dir, 'm.db'));
      return { backend, close: async () => { backend.close(); await rm(dir, { recursive: true, force: true }); } };
    },
  },
  {
    name: 'postgres', skip: missing !== null,
    async open() {
      const backend = await openPostgresBackend(await freshPostgresUrl(), true);
      return { backend, close: () => backend.close() };
    },
  },
  {
    name: 'postgres + bullmq on redis', skip: missing !== null,
    async open() {
      const databaseUrl = await freshPostgresUrl();
      redis ??= await startRedis();
      const backend = await openBullmqBackend({ databaseUrl, redisUrl: redis.url, autoMigrate: true, prefix: `contract${dbCount}`,
        commandTimeoutMs: 5000, stalledIntervalMs: 200, retryBackoffMs: 300 });
      return { backend, close: () => backend.close() };
    },
  },
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A lease expiry is seen within the lease plus (BullMQ) a stalled-check interval; this is generous. */
const TAKEOVER_WITHIN_MS = 6000;

afterAll(async () => { await Promise.all([pg?.close(), redis?.close()]); });

const task = (id: string, over: Partial<NewTask> = {}): NewTask => ({
  id, owner: 'owner1', orientation: 'video', keepOriginalSound: true, prompt: 'p', negativePrompt: '', webhookUrl: 'https://hooks.example/x',
  image: { kind: 'object', key: `in_${id}_image.png` }, video: { kind: 'url', url: 'https://e.com/v.mp4' }, submitMs: 1000, videoDurationS: 4.5, ...over,
});

describe.each(subjects)('task backend contract: $name', (subject) => {
  let b: TaskBackend;
  let close: () => Promise<void>;
  beforeAll(async () => {
    if (subject.skip) return;
    ({ backend: b, close } = await subject.open());
  });
  afterAll(async () => { await close?.(); });
  const test = subject.skip ? it.skip : it;

  test('stores a task and reads it back, status forward only', async () => {
    await b.tasks.createTask(task('t1'));
    expect(await b.tasks.getTask('t1')).toMatchObject({
      id: 't1', owner: 'owner1', status: 'QUEUED', progress: 0, reason: '', executeMs: null, keepOriginalSound: true, prompt: 'p',
      image: { kind: 'object', key: 'in_t1_image.png' }, video: { kind: 'url', url: 'https://e.com/v.mp4' }, submitMs: 1000, inputsDeleted: false,
    });
    expect(await b.tasks.markProcessing('t1', 1500)).toBe(true);
    await b.tasks.updateProgress('t1', 40, 20);
    await b.tasks.updateProgress('t1', 30, 25);
    expect(await b.tasks.getTaskStatus('t1')).toMatchObject({ status: 'PROCESSING', progress: 40, etaS: 25, executeMs: 1500 });
    expect(await b.tasks.finishTask('t1', { status: 'SUCCEED', resultKey: 't1.mp4', completeMs: 3000 })).toBe(true);
    expect(await b.tasks.finishTask('t1', { status: 'FAILED', reason: 'X: y', completeMs: 4000 })).toBe(false);
    expect(await b.tasks.getTaskStatus('t1')).toEqual({ id: 't1', owner: 'owner1', status: 'SUCCEED', reason: '', progress: 100, etaS: 0,
      submitMs: 1000, executeMs: 1500, completeMs: 3000, resultKey: 't1.mp4' });
    expect(await b.tasks.getTask('nope')).toBeNull();
  });

  test('fencing: only the attempt holding the task may report progress, upload or end it', async () => {
    await b.tasks.createTask(task('f1'));
    await b.tasks.markProcessing('f1', 2000, 'token-a');
    expect(await b.tasks.holdsTask('f1', 'token-a')).toBe(true);
    await b.tasks.markProcessing('f1', 2500, 'token-b'); // a later attempt took over
    expect(await b.tasks.holdsTask('f1', 'token-a')).toBe(false);
    await b.tasks.updateProgress('f1', 70, 5, 'token-a');
    expect((await b.tasks.getTaskStatus('f1'))!.progress).toBe(0);
    expect(await b.tasks.finishTask('f1', { status: 'SUCCEED', resultKey: 'f1.mp4', completeMs: 3000 }, 'token-a')).toBe(false);
    expect((await b.tasks.getTaskStatus('f1'))!.status).toBe('PROCESSING');
    expect((await b.counts(0)).webhooksPending).toBe(1); // only t1's so far
    expect(await b.tasks.finishTask('f1', { status: 'SUCCEED', resultKey: 'f1.mp4', completeMs: 3100 }, 'token-b')).toBe(true);
    expect(await b.tasks.holdsTask('f1', 'token-b')).toBe(false); // ended: nobody holds it
    expect((await b.counts(0)).webhooksPending).toBe(2);
  });

  test('a fetched input becomes an object only for the attempt holding the task', async () => {
    await b.tasks.createTask(task('s1', { webhookUrl: null }));
    await b.tasks.markProcessing('s1', 2000, 'token-a');
    await b.tasks.markProcessing('s1', 2100, 'token-b');
    const stored = { kind: 'object', key: 'in_s1_video.mp4' } as const;
    expect(await b.tasks.storeFetchedInput('s1', 'video', stored, 'token-a')).toBe(false);
    expect((await b.tasks.getTask('s1'))!.video).toEqual({ kind: 'url', url: 'https://e.com/v.mp4' });
    expect(await b.tasks.storeFetchedInput('s1', 'video', stored, 'token-b')).toBe(true);
    const t = (await b.tasks.getTask('s1'))!;
    expect(t.video).toEqual(stored);
    expect(t.image).toEqual({ kind: 'object', key: 'in_s1_image.png' });
    await b.tasks.finishTask('s1', { status: 'FAILED', reason: 'X: y', completeMs: 3000 }, 'token-b');
    expect(await b.tasks.storeFetchedInput('s1', 'image', { kind: 'object', key: 'in_s1_image.jpg' }, 'token-b')).toBe(false);
  });

  test('queue: one claim per job, heartbeats, lease expiry, release, retry, attempts exhausted', async () => {
    const LEASE = 1000;
    const claim = () => b.queue.claim(Date.now(), LEASE, 3);
    /** Claims until a job comes (a lease expired) or `ms` pass. */
    const claimWithin = async (ms: number) => {
      const until = Date.now() + ms;
      for (;;) {
        const l = await claim();
        if (l || Date.now() > until) return l;
        await sleep(50);
      }
    };
    /** Heartbeats as a live worker does, until stopped. */
    const keepAlive = (l: JobLease) => { const t = setInterval(() => void b.queue.heartbeat(l, Date.now(), LEASE), 200); return () => clearInterval(t); };
    // the jobs of the tasks above are done with first
    for (let l = await claim(); l; l = await claim()) await b.queue.complete(l);
    await b.tasks.createTask(task('q1', { submitMs: 10 }));
    await b.tasks.createTask(task('q2', { submitMs: 20, webhookUrl: null }));
    const got = (await Promise.all([claim(), claim(), claim()])).filter((l) => l !== null);
    expect(got.map((l) => l.taskId).sort()).toEqual(['q1', 'q2']); // never the same job twice
    const q1 = got.find((l) => l.taskId === 'q1')!;
    const q2 = got.find((l) => l.taskId === 'q2')!;
    expect(q1.attempt).toBe(1);
    const stopQ1 = keepAlive(q1);
    try {
      expect(await b.queue.heartbeat(q1, Date.now(), LEASE)).toBe(true);
      expect(await claim()).toBeNull(); // both leased
      // q2's lease expires; another worker takes it, and the first holder's heartbeat learns it lost the lease
      const q2again = await claimWithin(TAKEOVER_WITHIN_MS);
      expect(q2again).toMatchObject({ taskId: 'q2', attempt: 2 });
      expect(q2again!.token).not.toBe(q2.token);
      expect(await b.queue.heartbeat(q2, Date.now(), LEASE)).toBe(false);
      await b.queue.complete(q2); // a stale complete does nothing
      expect((await b.counts(Date.now())).leased).toBe(2);
      // release gives a job back at once without counting the attempt
      await b.queue.release(q2again!);
      const q2held = await claim();
      expect(q2held).toMatchObject({ taskId: 'q2', attempt: 2 });
      const stopQ2 = keepAlive(q2held!);
      try {
        stopQ1();
        // q1: its workers keep dying until the attempts run out
        expect(await claimWithin(TAKEOVER_WITHIN_MS)).toMatchObject({ taskId: 'q1', attempt: 2 });
        const third = await claimWithin(TAKEOVER_WITHIN_MS);
        expect(third).toMatchObject({ taskId: 'q1', attempt: 3 });
        // retry counts the attempt (and may wait out a backoff): q1 is then failed instead of handed out
        await b.queue.retry(third!);
        const until = Date.now() + TAKEOVER_WITHIN_MS;
        while ((await b.tasks.getTaskStatus('q1'))!.status !== 'FAILED' && Date.now() < until) {
          expect(await claim()).toBeNull();
          await sleep(50);
        }
        expect(await b.tasks.getTaskStatus('q1')).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('interrupted 3 times') as string });
      } finally {
        stopQ2();
      }
      await b.queue.complete(q2held!);
    } finally {
      stopQ1();
    }
  });

  test('completing a job removes it', async () => {
    await b.tasks.createTask(task('c1', { submitMs: 30, webhookUrl: null }));
    let lease = await b.queue.claim(Date.now(), 1000, 3);
    while (lease && lease.taskId !== 'c1') { await b.queue.complete(lease); lease = await b.queue.claim(Date.now(), 1000, 3); }
    expect(lease).not.toBeNull();
    await b.queue.complete(lease!);
    expect(await b.queue.claim(Date.now(), 1000, 3)).toBeNull();
    const c = await b.counts(Date.now());
    expect(c.leased + c.waiting).toBe(0);
  });

  test('api keys and the webhook outbox', async () => {
    await b.keys.addKey({ id: 'k1', hash: 'h1', label: 'me', createdMs: 5 });
    expect(await b.keys.findByHash('h1')).toEqual({ id: 'k1', hash: 'h1', label: 'me', createdMs: 5 });
    expect(await b.keys.findByHash('h2')).toBeNull();
    expect(await b.keys.countKeys()).toBe(1);
    const [d1, d2] = await Promise.all([b.outbox.claimDue(Date.now(), 60_000, 10), b.outbox.claimDue(Date.now(), 60_000, 10)]);
    const all = [...d1, ...d2];
    expect(all.map((d) => d.taskId).sort()).toEqual(['f1', 'q1', 't1']); // each due row handed to one dispatcher
    await b.outbox.markDelivered(all[0].id, 1_000_001);
    await b.outbox.markFailed(all[1].id, 'HTTP 500', null);
    expect(await b.outbox.getDelivery(all[0].id)).toMatchObject({ deliveredMs: 1_000_001, attempts: 1, gaveUp: false });
    expect(await b.outbox.getDelivery(all[1].id)).toMatchObject({ deliveredMs: null, attempts: 1, gaveUp: true, lastError: 'HTTP 500' });
    expect(await b.ping()).toBe(true);
  });
});

describe.skipIf(missing !== null)('postgres migrations', () => {
  it('two processes migrating at once apply each version once', async () => {
    const url = await freshPostgresUrl();
    const pools = [openPool(url, 2), openPool(url, 2), openPool(url, 2)];
    try {
      const applied = await Promise.all(pools.map((p) => migratePostgres(p)));
      expect(applied.flat().sort()).toEqual([1]);
      expect(await schemaVersion(pools[0])).toEqual({ current: 1, expected: 1 });
      expect(await migratePostgres(pools[0])).toEqual([]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('without auto-migrate, an unmigrated database is refused with a hint', async () => {
    await expect(openPostgresBackend(await freshPostgresUrl(), false)).rejects.toThrow(/marionette migrate/);
  });
});
