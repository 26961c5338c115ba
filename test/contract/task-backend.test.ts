/**
 * One contract for the task backend (TaskStore, JobQueue, ApiKeyStore, WebhookOutbox, counts), run against
 * SQLite and against Postgres (a throwaway server started here: initdb on a free port).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskBackend } from '../../src/tasks/backend.js';
import { migratePostgres, openPool, schemaVersion } from '../../src/tasks/postgres/db.js';
import { openPostgresBackend } from '../../src/tasks/postgres/index.js';
import { openSqliteBackend } from '../../src/tasks/sqlite/index.js';
import type { NewTask } from '../../src/tasks/types.js';
import { missingBackingServers, startPostgres, type RunningServer } from '../helpers/backing-servers.js';

const missing = missingBackingServers();
if (missing) console.warn(`task backend contract: Postgres runs skipped: ${missing}`);

let pg: RunningServer | undefined;
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
];

afterAll(async () => { await pg?.close(); });

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

  test('queue: one claim per job, heartbeats, lease expiry, release, retry, attempts exhausted', async () => {
    // the jobs of the tasks above are done with first
    for (let l = await b.queue.claim(1, 1, 3); l; l = await b.queue.claim(1, 1, 3)) await b.queue.complete(l);
    await b.tasks.createTask(task('q1', { submitMs: 10 }));
    await b.tasks.createTask(task('q2', { submitMs: 20, webhookUrl: null }));
    const [x, y, z] = await Promise.all([b.queue.claim(5000, 1000, 3), b.queue.claim(5000, 1000, 3), b.queue.claim(5000, 1000, 3)]);
    const got = [x, y, z].filter((l) => l !== null);
    expect(got.map((l) => l.taskId).sort()).toEqual(['q1', 'q2']); // never the same job twice
    const q1 = got.find((l) => l.taskId === 'q1')!;
    const q2 = got.find((l) => l.taskId === 'q2')!;
    expect(q1.attempt).toBe(1);
    expect(await b.queue.heartbeat(q1, 5500, 1000)).toBe(true);
    expect(await b.queue.claim(5900, 1000, 3)).toBeNull(); // both leased (q2 until 6000, q1 until 6500)
    // q2's lease expires; another worker takes it, and the first holder's heartbeat learns it lost the lease
    const q2again = await b.queue.claim(6100, 1000, 3);
    expect(q2again).toMatchObject({ taskId: 'q2', attempt: 2 });
    expect(q2again!.token).not.toBe(q2.token);
    expect(await b.queue.heartbeat(q2, 6200, 1000)).toBe(false);
    await b.queue.complete(q2); // a stale complete does nothing
    expect((await b.counts(6200)).leased).toBe(2);
    // release gives a job back without counting the attempt; retry counts it
    await b.queue.release(q2again!);
    expect(await b.queue.claim(6300, 1000, 3)).toMatchObject({ taskId: 'q2', attempt: 2 });
    // q1: its workers keep dying until the attempts run out
    expect(await b.queue.claim(7000, 1000, 3)).toMatchObject({ taskId: 'q1', attempt: 2 });
    const third = await b.queue.claim(8100, 1000, 3);
    expect(third).toMatchObject({ taskId: 'q1', attempt: 3 });
    await b.queue.retry(third!);
    expect(await b.queue.claim(8200, 1000, 3)).toMatchObject({ taskId: 'q2' }); // q1 is failed instead of handed out
    expect(await b.tasks.getTaskStatus('q1')).toMatchObject({ status: 'FAILED', reason: expect.stringContaining('interrupted 3 times') as string });
  });

  test('completing a job removes it', async () => {
    await b.tasks.createTask(task('c1', { submitMs: 30, webhookUrl: null }));
    let lease = await b.queue.claim(100_000, 1000, 3);
    while (lease && lease.taskId !== 'c1') { await b.queue.complete(lease); lease = await b.queue.claim(100_000, 1000, 3); }
    expect(lease).not.toBeNull();
    await b.queue.complete(lease!);
    expect(await b.queue.claim(200_000, 1000, 3)).toBeNull();
    const c = await b.counts(200_000);
    expect(c.leased + c.waiting).toBe(0);
  });

  test('api keys and the webhook outbox', async () => {
    await b.keys.addKey({ id: 'k1', hash: 'h1', label: 'me', createdMs: 5 });
    expect(await b.keys.findByHash('h1')).toEqual({ id: 'k1', hash: 'h1', label: 'me', createdMs: 5 });
    expect(await b.keys.findByHash('h2')).toBeNull();
    expect(await b.keys.countKeys()).toBe(1);
    const [d1, d2] = await Promise.all([b.outbox.claimDue(1_000_000, 60_000, 10), b.outbox.claimDue(1_000_000, 60_000, 10)]);
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
