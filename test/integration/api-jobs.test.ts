/**
 * The job-service routes over real HTTP and SQLite: cancel (queued and running), list with cursors, the event
 * stream, queue position, Idempotency-Key, per-key limits with Retry-After, and private webhook URLs refused.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStoredKey } from '../../src/api/auth.js';
import { FfmpegEngineDouble } from '../helpers/service-engine-double.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { pollUntilEnded, startService, type Service, type TaskResult } from '../helpers/service-harness.js';

const CREATE = '/v3/async/kling-v2.6-pro-motion-control';

describe('job API', () => {
  let media: string;
  let image: string;
  let video: string;
  let svc: Service | undefined;

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-jobs-'));
    image = (await readFile(await makePng(media))).toString('base64');
    video = (await readFile(await makeMp4(media, { seconds: 3 }))).toString('base64');
  });
  afterEach(async () => { await svc?.close(); svc = undefined; });
  afterAll(async () => { await rm(media, { recursive: true, force: true }); });

  const body = (extra: Record<string, unknown> = {}) => ({ image, video, character_orientation: 'video', ...extra });

  async function create(s: Service, headers: Record<string, string> = {}, payload: object = body()) {
    return s.app.inject({ method: 'POST', url: CREATE, headers: { authorization: s.apiKey, ...headers }, payload });
  }
  async function createId(s: Service, payload: object = body()): Promise<string> {
    const r = await create(s, {}, payload);
    expect(r.statusCode, r.body).toBe(200);
    return (r.json() as { task_id: string }).task_id;
  }
  const cancel = (s: Service, taskId: string, key = s.apiKey) =>
    s.app.inject({ method: 'POST', url: '/v3/async/task-cancel', headers: { authorization: key }, payload: { task_id: taskId } });
  const outboxRows = (s: Service, taskId: string) =>
    (s.backend.db.prepare('SELECT COUNT(*) AS n FROM webhook_outbox WHERE task_id = ?').get(taskId) as { n: number }).n;

  it('cancels a queued task at once, once; an ended task is a 400, another key\'s task a 404', async () => {
    svc = await startService({ env: { MARIONETTE_ALLOW_HOSTS: '127.0.0.1' } }); // no worker: tasks stay queued
    const id = await createId(svc, body({ extra: { webhook: { url: 'http://127.0.0.1:9/hook' } } }));
    const other = await createStoredKey(svc.backend.keys, 'other', Date.now());
    expect((await cancel(svc, id, other.key)).statusCode).toBe(404);
    const r = await cancel(svc, id);
    expect(r.statusCode).toBe(200);
    expect((r.json() as TaskResult).task).toMatchObject({ status: 'TASK_STATUS_FAILED', reason: 'TASK_CANCELED: cancelled by the client' });
    const again = await cancel(svc, id);
    expect(again.statusCode).toBe(400);
    expect(again.json()).toMatchObject({ code: 400, reason: 'TASK_ALREADY_ENDED', metadata: { field: 'task_id', actual: 'TASK_STATUS_FAILED' } });
    expect(outboxRows(svc, id)).toBe(1);
    expect((await cancel(svc, 'no-such-task')).statusCode).toBe(404);
  });

  it('stops a running engine within 2 s of a cancel and frees the worker', async () => {
    const engine = new FfmpegEngineDouble({ hang: true });
    svc = await startService({ engine });
    const id = await createId(svc);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (await svc.backend.tasks.getTaskStatus(id))?.status !== 'PROCESSING') await new Promise((r) => setTimeout(r, 50));
    while (Date.now() < deadline && engine.progress.length === 0) await new Promise((r) => setTimeout(r, 50));
    const asked = Date.now();
    expect((await cancel(svc, id)).statusCode).toBe(200);
    while (svc.worker!.activeCount > 0 && Date.now() - asked < 2000) await new Promise((r) => setTimeout(r, 20));
    expect(svc.worker!.activeCount).toBe(0);
    const final = (await pollUntilEnded(svc, id)).pop()!;
    expect(final.task.reason).toBe('TASK_CANCELED: cancelled by the client');
  });

  it('lists the caller\'s tasks newest first with an opaque cursor, filtered by status, limit at most 100', async () => {
    svc = await startService();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await createId(svc));
    await cancel(svc, ids[1]);
    const list = (q: string) => svc!.app.inject({ method: 'GET', url: `/v3/async/tasks${q}`, headers: { authorization: svc!.apiKey } });
    const p1 = (await list('?limit=2')).json() as { tasks: TaskResult[]; next_cursor: string };
    expect(p1.tasks.map((t) => t.task.task_id)).toEqual([ids[2], ids[1]]);
    expect(p1.next_cursor).not.toBe('');
    const p2 = (await list(`?limit=2&cursor=${encodeURIComponent(p1.next_cursor)}`)).json() as { tasks: TaskResult[]; next_cursor: string };
    expect(p2.tasks.map((t) => t.task.task_id)).toEqual([ids[0]]);
    expect(p2.next_cursor).toBe('');
    const failed = (await list('?status=TASK_STATUS_FAILED')).json() as { tasks: TaskResult[] };
    expect(failed.tasks.map((t) => t.task.task_id)).toEqual([ids[1]]);
    // the queued ones carry their place in the queue
    expect(p1.tasks[0].extra.queue_position).toBe(1);
    expect(p1.tasks[0].task.eta).toBeGreaterThan(0);
    expect((await list('?limit=101')).json()).toMatchObject({ code: 400, reason: 'INVALID_REQUEST_BODY', metadata: { field: 'limit' } });
    expect((await list('?cursor=bogus')).json()).toMatchObject({ code: 400, metadata: { field: 'cursor' } });
    const other = await createStoredKey(svc.backend.keys, 'other', Date.now());
    const theirs = await svc.app.inject({ method: 'GET', url: '/v3/async/tasks', headers: { authorization: other.key } });
    expect((theirs.json() as { tasks: unknown[] }).tasks).toEqual([]);
  });

  it('streams progress as Server-Sent Events until the final state', async () => {
    svc = await startService({ engine: new FfmpegEngineDouble({ stepDelayMs: 300 }) });
    const id = await createId(svc);
    const res = await fetch(`${svc.baseUrl}/v3/async/task-events?task_id=${id}`, { headers: { Authorization: `Bearer ${svc.apiKey}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text(); // the stream ends after the final state
    const events = text.split('\n\n').filter((b) => b.startsWith('event: task')).map((b) => JSON.parse(b.split('\ndata: ')[1]) as TaskResult);
    expect(events.length).toBeGreaterThanOrEqual(3);
    expect(events.at(-1)!.task.status).toBe('TASK_STATUS_SUCCEED');
    expect(events.at(-1)!.videos).toHaveLength(1);
    const progress = events.map((e) => e.task.progress_percent);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const missing = await fetch(`${svc.baseUrl}/v3/async/task-events?task_id=nope`, { headers: { Authorization: `Bearer ${svc.apiKey}` } });
    expect(missing.status).toBe(404);
  });

  it('an Idempotency-Key returns the same task for the same body and 409 for another', async () => {
    svc = await startService();
    const a = await create(svc, { 'idempotency-key': 'order-42' });
    const b = await create(svc, { 'idempotency-key': 'order-42' });
    expect(a.statusCode).toBe(200);
    expect(b.json()).toEqual(a.json());
    const c = await create(svc, { 'idempotency-key': 'order-42' }, body({ prompt: 'different' }));
    expect(c.statusCode).toBe(409);
    expect(c.json()).toMatchObject({ code: 409, reason: 'IDEMPOTENCY_KEY_REUSED', metadata: { field: 'idempotency-key' } });
    const long = await create(svc, { 'idempotency-key': 'k'.repeat(256) });
    expect(long.json()).toMatchObject({ code: 400, reason: 'INVALID_REQUEST_BODY' });
    // a refused create does not hold its key
    const bad = await create(svc, { 'idempotency-key': 'order-43' }, body({ image: 'bm90IGFuIGltYWdl' }));
    expect(bad.statusCode).toBe(400);
    expect((await create(svc, { 'idempotency-key': 'order-43' })).statusCode).toBe(200);
  });

  it('answers 429 with Retry-After past the request rate or the queued-or-running cap', async () => {
    svc = await startService({ env: { MARIONETTE_RATE_LIMIT_PER_MINUTE: '3', MARIONETTE_MAX_ACTIVE_TASKS_PER_KEY: '1' } });
    expect((await create(svc)).statusCode).toBe(200);
    const capped = await create(svc);
    expect(capped.statusCode).toBe(429);
    expect(capped.json()).toMatchObject({ code: 429, reason: 'RATE_LIMIT_EXCEEDED', metadata: { limit: 1, unit: 'tasks queued or running' } });
    expect(Number(capped.headers['retry-after'])).toBeGreaterThan(0);
    await svc.app.inject({ method: 'GET', url: '/v3/async/tasks', headers: { authorization: svc.apiKey } });
    const rated = await svc.app.inject({ method: 'GET', url: '/v3/async/tasks', headers: { authorization: svc.apiKey } });
    expect(rated.statusCode).toBe(429);
    expect(rated.json()).toMatchObject({ reason: 'RATE_LIMIT_EXCEEDED', metadata: { limit: 3, unit: 'requests per minute' } });
    expect(Number(rated.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  });

  it('refuses a webhook URL at a private or link-local address at submit', async () => {
    svc = await startService();
    for (const url of ['http://10.1.2.3/hook', 'http://169.254.169.254/latest', 'http://[::1]:8080/x']) {
      const r = await create(svc, {}, body({ extra: { webhook: { url } } }));
      expect(r.statusCode, url).toBe(400);
      expect(r.json()).toMatchObject({ reason: 'INVALID_REQUEST_BODY', metadata: { field: 'extra.webhook.url' } });
      expect((r.json() as { message: string }).message).toMatch(/MARIONETTE_ALLOW_HOSTS/);
    }
  });
});
