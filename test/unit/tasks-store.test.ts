import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteBackend, type SqliteBackend } from '../../src/tasks/sqlite/index.js';
import type { NewTask } from '../../src/tasks/types.js';
import { MIGRATIONS } from '../../src/tasks/sqlite/db.js';

function newTask(id: string, over: Partial<NewTask> = {}): NewTask {
  return {
    id, owner: 'o1', orientation: 'video', keepOriginalSound: true, prompt: '', negativePrompt: '', webhookUrl: null,
    image: { kind: 'object', key: 'in_t1_image.png' }, video: { kind: 'url', url: 'https://e.com/v.mp4' }, submitMs: 1000, ...over,
  };
}

describe('SQLite task store and job queue', () => {
  let b: SqliteBackend;
  beforeEach(() => { b = openSqliteBackend(':memory:'); });
  afterEach(() => b.close());

  it('records applied migrations once', () => {
    const rows = b.db.prepare('SELECT version FROM migrations').all();
    expect(rows).toHaveLength(MIGRATIONS.length);
  });

  it('creates a task QUEUED with its job in one step', async () => {
    await b.tasks.createTask(newTask('t1'));
    const t = await b.tasks.getTask('t1');
    expect(t).toMatchObject({ id: 't1', status: 'QUEUED', progress: 0, reason: '', executeMs: null, image: { kind: 'object', key: 'in_t1_image.png' } });
    const lease = await b.queue.claim(2000, 60_000, 3);
    expect(lease).toMatchObject({ taskId: 't1', attempt: 1 });
  });

  it('does not create a task when its job cannot be enqueued (one transaction)', async () => {
    b.db.exec("CREATE TRIGGER refuse_jobs BEFORE INSERT ON jobs BEGIN SELECT RAISE(ABORT, 'queue unavailable'); END");
    await expect(b.tasks.createTask(newTask('t1'))).rejects.toThrow('queue unavailable');
    expect(await b.tasks.getTask('t1')).toBeNull();
  });

  it('moves status only forward and keeps progress monotonic', async () => {
    await b.tasks.createTask(newTask('t1'));
    expect(await b.tasks.markProcessing('t1', 1500)).toBe(true);
    await b.tasks.updateProgress('t1', 40, 20);
    await b.tasks.updateProgress('t1', 30, 25);
    expect((await b.tasks.getTask('t1'))!.progress).toBe(40);
    await b.tasks.updateProgress('t1', 100, 0);
    expect((await b.tasks.getTask('t1'))!.progress).toBe(99);
    expect(await b.tasks.finishTask('t1', { status: 'SUCCEED', resultKey: 't1.mp4', completeMs: 3000 })).toBe(true);
    expect(await b.tasks.finishTask('t1', { status: 'FAILED', reason: 'X: y', completeMs: 4000 })).toBe(false);
    expect(await b.tasks.markProcessing('t1', 5000)).toBe(false);
    const t = (await b.tasks.getTask('t1'))!;
    expect(t).toMatchObject({ status: 'SUCCEED', progress: 100, etaS: 0, executeMs: 1500, completeMs: 3000, resultKey: 't1.mp4', reason: '' });
  });

  it('hands a job to one worker at a time; an expired lease makes it claimable again', async () => {
    await b.tasks.createTask(newTask('t1'));
    const a = (await b.queue.claim(0, 1000, 3))!;
    expect(await b.queue.claim(500, 1000, 3)).toBeNull();
    expect(await b.queue.heartbeat(a, 900, 1000)).toBe(true); // lease now until 1900
    expect(await b.queue.claim(1500, 1000, 3)).toBeNull();
    const second = (await b.queue.claim(2000, 1000, 3))!;
    expect(second).toMatchObject({ taskId: 't1', attempt: 2 });
    expect(second.token).not.toBe(a.token);
    // the first worker has lost its lease
    expect(await b.queue.heartbeat(a, 2100, 1000)).toBe(false);
    await b.queue.complete(a); // a stale complete does nothing
    expect(await b.queue.heartbeat(second, 2100, 1000)).toBe(true);
    await b.queue.complete(second);
    expect(await b.queue.claim(10_000, 1000, 3)).toBeNull();
  });

  it('fails the task once its job was claimed MAX_ATTEMPTS times without finishing', async () => {
    await b.tasks.createTask(newTask('t1', { webhookUrl: 'https://hooks.example.com/x' }));
    await b.tasks.createTask(newTask('t2'));
    let now = 0;
    for (let i = 1; i <= 3; i++) {
      const l = (await b.queue.claim(now, 1000, 3))!;
      expect(l).toMatchObject({ taskId: 't1', attempt: i });
      now += 1001; // the worker vanished: the lease expires
    }
    const next = (await b.queue.claim(now, 1000, 3))!;
    expect(next.taskId).toBe('t2');
    const t1 = (await b.tasks.getTask('t1'))!;
    expect(t1.status).toBe('FAILED');
    expect(t1.reason).toBe('INTERNAL_ERROR: processing was interrupted 3 times (the worker stopped); try again');
    // its webhook is queued like any other ending
    expect(await b.outbox.claimDue(now, 1000, 10)).toHaveLength(1);
  });

  it('release hands a job back without counting the attempt', async () => {
    await b.tasks.createTask(newTask('t1'));
    const a = (await b.queue.claim(0, 60_000, 1))!;
    await b.queue.release(a);
    expect(await b.queue.claim(1, 60_000, 1)).toMatchObject({ taskId: 't1', attempt: 1 });
  });

  it('writes the webhook outbox row with the ending, and leases due rows', async () => {
    await b.tasks.createTask(newTask('t1', { webhookUrl: 'https://hooks.example.com/x' }));
    await b.tasks.createTask(newTask('t2'));
    expect(await b.outbox.claimDue(10_000, 1000, 10)).toEqual([]);
    await b.tasks.finishTask('t1', { status: 'FAILED', reason: 'INPUT_FETCH_FAILED: x', completeMs: 5000 });
    await b.tasks.finishTask('t2', { status: 'FAILED', reason: 'INPUT_FETCH_FAILED: x', completeMs: 5000 });
    const due = await b.outbox.claimDue(5000, 1000, 10);
    expect(due).toHaveLength(1);
    expect(due[0]).toMatchObject({ taskId: 't1', url: 'https://hooks.example.com/x', attempts: 0 });
    expect(await b.outbox.claimDue(5500, 1000, 10)).toEqual([]); // leased
    await b.outbox.markFailed(due[0].id, 'HTTP 500', 7000);
    expect(await b.outbox.claimDue(6999, 1000, 10)).toEqual([]);
    const again = await b.outbox.claimDue(7000, 1000, 10);
    expect(again[0]).toMatchObject({ id: due[0].id, attempts: 1 });
    await b.outbox.markDelivered(due[0].id, 7100);
    expect(await b.outbox.getDelivery(due[0].id)).toMatchObject({ deliveredMs: 7100, attempts: 2, gaveUp: false });
  });

  it('lists ended tasks whose inputs are still there', async () => {
    await b.tasks.createTask(newTask('t1'));
    await b.tasks.createTask(newTask('t2'));
    await b.tasks.finishTask('t1', { status: 'FAILED', reason: 'x', completeMs: 1 });
    expect((await b.tasks.listEndedWithInputs(10)).map((t) => t.id)).toEqual(['t1']);
    await b.tasks.markInputsDeleted('t1');
    expect(await b.tasks.listEndedWithInputs(10)).toEqual([]);
  });
});
