/**
 * Scale-out, end to end: one `api` process and two `worker` processes (each with its own data dir: no shared
 * disk) on Postgres + S3, with the Postgres lease queue and with BullMQ on Redis, run real tasks from
 * ../shared/fixtures with the real engine. One worker is killed with SIGKILL mid-task. Every task must end SUCCEED
 * with one result object and one webhook delivery, and the task-result bodies must match the contract field for field.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAll } from '../../src/storage/object-storage.js';
import { S3Storage } from '../../src/storage/s3/s3-storage.js';
import { openPool } from '../../src/tasks/postgres/db.js';
import { missingBackingServers, startPostgres, startRedis, startS3, type RunningS3, type RunningServer } from '../helpers/backing-servers.js';
import { freePort, type TaskResult } from '../helpers/service-harness.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURES = path.resolve(ROOT, '../shared/fixtures');
const CLI = path.join(ROOT, 'dist/cli.js');
const missing = missingBackingServers() ?? (existsSync(FIXTURES) ? null : `${FIXTURES} is absent`);
if (missing) console.warn(`scale-out e2e skipped: ${missing}`);

const API_KEY = 'scale-out-test-key-0123456789';
const PAIRS = [['person2.jpg', 'basketball1.mp4'], ['anime1.png', 'basketball1.mp4'], ['cartoon1.jpg', 'basketball1.mp4']] as const;

const QUEUES = [{ queue: 'the Postgres lease queue', redis: false }, { queue: 'BullMQ on Redis', redis: true }];

describe.skipIf(missing !== null).each(QUEUES)('scale-out: api + 2 workers on Postgres, S3 and $queue, one worker killed mid-task', ({ redis: withRedis }) => {
  let pg: RunningServer;
  let s3: RunningS3;
  let redis: RunningServer | undefined;
  let hooks: http.Server;
  const deliveries = new Map<string, { id: string; body: TaskResult }[]>();
  const procs: ChildProcess[] = [];
  const dirs: string[] = [];
  let apiUrl = '';
  let env: Record<string, string> = {};

  function start(role: 'api' | 'worker', extra: Record<string, string> = {}): Promise<ChildProcess> {
    return mkdtemp(path.join(os.tmpdir(), `marionette-${role}-`)).then((dir) => {
      dirs.push(dir);
      const child = spawn(process.execPath, [CLI, role], { env: { ...process.env, ...env, MARIONETTE_DATA_DIR: dir, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr!.on('data', (b: Buffer) => { for (const line of b.toString().split('\n')) if (/"level":(50|60)/.test(line)) console.error(`[${role}] ${line}`); });
      procs.push(child);
      return child;
    });
  }

  beforeAll(async () => {
    [pg, s3, redis] = await Promise.all([startPostgres(), startS3(), withRedis ? startRedis() : undefined]);
    hooks = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const parsed = (JSON.parse(body) as { event_type: string; payload: TaskResult }).payload;
        const list = deliveries.get(parsed.task.task_id) ?? [];
        list.push({ id: String(req.headers['webhook-id']), body: parsed });
        deliveries.set(parsed.task.task_id, list);
        res.writeHead(204).end();
      });
    });
    const hookPort = await freePort();
    await new Promise<void>((r) => hooks.listen(hookPort, '127.0.0.1', () => r()));
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    env = {
      MARIONETTE_DATABASE_URL: pg.url, MARIONETTE_S3_ENDPOINT: s3.url, MARIONETTE_S3_BUCKET: s3.bucket,
      MARIONETTE_S3_ACCESS_KEY_ID: s3.accessKeyId, MARIONETTE_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      MARIONETTE_S3_PUBLIC_ENDPOINT: `http://localhost:${s3.port}`,
      MARIONETTE_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 9).toString('base64')}`, MARIONETTE_URL_SIGNING_SECRET: 'u'.repeat(40),
      MARIONETTE_API_KEYS: API_KEY, MARIONETTE_LOG_LEVEL: 'warn', MARIONETTE_LEASE_S: '4', MARIONETTE_WORKERS: '1',
      MARIONETTE_ENGINE_THREADS: '1', MARIONETTE_ALLOW_HOSTS: '127.0.0.1', MARIONETTE_PORT: String(apiPort), MARIONETTE_HOST: '127.0.0.1',
      MARIONETTE_PUBLIC_URL: apiUrl,
      // a killed worker's lock is gone after the lease (4 s); the next stalled check (every 1 s) takes it back
      ...(redis ? { MARIONETTE_REDIS_URL: redis.url, MARIONETTE_REDIS_STALLED_INTERVAL_MS: '1000' } : {}),
    };
    await start('api');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await fetch(`${apiUrl}/readyz`).then((r) => r.status === 200, () => false);
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the api process did not become ready');
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 120_000);

  afterAll(async () => {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await new Promise<void>((r) => hooks?.close(() => r()));
    await Promise.all([pg?.close(), s3?.close(), redis?.close(), ...dirs.map((d) => rm(d, { recursive: true, force: true }))]);
  });

  const result = async (id: string): Promise<TaskResult> => {
    const r = await fetch(`${apiUrl}/v3/async/task-result?task_id=${id}`, { headers: { Authorization: `Bearer ${API_KEY}` } });
    expect(r.status).toBe(200);
    return r.json() as Promise<TaskResult>;
  };

  it('every task ends SUCCEED once, with one result object and one webhook', async () => {
    const ids: string[] = [];
    for (const [image, video] of PAIRS) {
      const body = {
        image: (await readFile(path.join(FIXTURES, image))).toString('base64'), video: (await readFile(path.join(FIXTURES, video))).toString('base64'),
        character_orientation: 'video', extra: { webhook: { url: `http://127.0.0.1:${(hooks.address() as { port: number }).port}/hook` } },
      };
      const r = await fetch(`${apiUrl}/v3/async/kling-v2.6-pro-motion-control`, { method: 'POST', headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect(r.status).toBe(200);
      ids.push(((await r.json()) as { task_id: string }).task_id);
    }
    const victim = await start('worker');
    await start('worker');
    // both workers busy: killing one kills a running task
    const busyBy = Date.now() + 120_000;
    while ((await Promise.all(ids.map(result))).filter((b) => b.task.status === 'TASK_STATUS_PROCESSING').length < 2) {
      if (Date.now() > busyBy) throw new Error('two tasks never ran at once');
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 1500)); // well into the engine
    const db = openPool(pg.url, 1);
    const runningAtKill = (await db.query<{ id: string; attempt_token: string }>(`SELECT id, attempt_token FROM tasks WHERE status = 'PROCESSING'`)).rows;
    victim.kill('SIGKILL');
    await start('worker'); // a replacement, as an operator would start one

    const ends = new Map<string, TaskResult>();
    const doneBy = Date.now() + 360_000;
    while (ends.size < ids.length) {
      if (Date.now() > doneBy) throw new Error(`tasks did not end: ${ids.filter((i) => !ends.has(i)).join(', ')}`);
      for (const id of ids) {
        if (ends.has(id)) continue;
        const b = await result(id);
        if (b.task.status === 'TASK_STATUS_SUCCEED' || b.task.status === 'TASK_STATUS_FAILED') ends.set(id, b);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const id of ids) {
      const b = ends.get(id)!;
      expect(b.task.status, `${id}: ${b.task.reason}`).toBe('TASK_STATUS_SUCCEED');
      // the contract's body, field for field
      expect(Object.keys(b).sort()).toEqual(['audios', 'extra', 'images', 'task', 'videos']);
      expect(b.task).toEqual({ task_id: id, task_type: 'KLING_V2_6_PRO_MOTION_CONTROL', status: 'TASK_STATUS_SUCCEED', reason: '', eta: 0, progress_percent: 100 });
      expect(Object.keys(b.extra.debug_info).sort()).toEqual(['complete_time_ms', 'execute_time_ms', 'request_info', 'submit_time_ms']);
      for (const k of ['submit_time_ms', 'execute_time_ms', 'complete_time_ms']) expect(b.extra.debug_info[k]).toMatch(/^\d{13}$/);
      expect(b.images).toEqual([]);
      expect(b.audios).toEqual([]);
      expect(b.videos).toHaveLength(1);
      expect(b.videos[0]).toMatchObject({ video_url_ttl: '3600', video_type: 'mp4' });
      // presigned for the public endpoint; the bytes come from the storage, not the API
      const url = new URL(b.videos[0].video_url);
      expect(url.host).toBe(`localhost:${s3.port}`);
      const file = await fetch(url);
      expect(file.status).toBe(200);
      const bytes = Buffer.from(await file.arrayBuffer());
      expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
    }
    // the killed worker's task was taken over by another attempt (its fence token changed)
    const tokensNow = new Map((await db.query<{ id: string; attempt_token: string }>('SELECT id, attempt_token FROM tasks')).rows.map((r) => [r.id, r.attempt_token]));
    await db.end();
    expect(runningAtKill).toHaveLength(2);
    expect(runningAtKill.filter((r) => tokensNow.get(r.id) !== r.attempt_token)).toHaveLength(1);
    // one result object per task; inputs are removed once tasks end (the sweep runs on the workers)
    const storage = new S3Storage({ endpoint: s3.url, bucket: s3.bucket, region: 'us-east-1', accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey, forcePathStyle: true, publicEndpoint: undefined });
    const keys: string[] = [];
    for await (const o of listAll(storage)) keys.push(o.key);
    storage.close();
    for (const id of ids) expect(keys.filter((k) => k.startsWith(id) || k.endsWith(`${id}.mp4`))).toEqual([`${id}.mp4`]);
    // one webhook delivery per outcome, its body the same as task-result's (apart from the URL's signature time)
    const hooksBy = Date.now() + 60_000;
    while (ids.some((id) => (deliveries.get(id)?.length ?? 0) < 1) && Date.now() < hooksBy) await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 2000)); // a duplicate would arrive now
    for (const id of ids) {
      const got = deliveries.get(id) ?? [];
      expect(got, id).toHaveLength(1);
      const strip = (x: TaskResult) => ({ ...x, videos: x.videos.map((v) => ({ ...v, video_url: new URL(v.video_url).pathname })) });
      expect(strip(got[0].body)).toEqual(strip(ends.get(id)!));
    }
    // `marionette queue`: task counts from Postgres, job counts from where the jobs are (nothing left held or waiting)
    const counts = JSON.parse(await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [CLI, 'queue'], { env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
    })) as Record<string, unknown>;
    expect(counts).toMatchObject({ backends: { store: 'postgres', queue: withRedis ? 'bullmq' : 'postgres', storage: 's3' },
      queued: 0, processing: 0, succeeded: ids.length, failed: 0, leased: 0, waiting: 0, webhooksPending: 0 });
    if (withRedis) expect(counts.delayed).toBe(0);
  }, 600_000);
});
