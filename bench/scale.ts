/**
 * bench:scale — scale-out figures on Postgres + S3, with the Postgres lease queue and with BullMQ on Redis
 * (throwaway servers started here, as in the tests).
 *  1. tasks per minute with one and with two `worker` processes, each run on N fresh tasks of the same short
 *     fixture clip (on a 2-core box the second worker is expected to help little: the engine already uses the cores);
 *  2. takeover: a worker is SIGKILLed mid-task; seconds until another worker's attempt holds the task (bounded by the
 *     lease, plus the stalled interval on Redis);
 *  3. task-result req/s on Postgres beside SQLite (same in-process API, a SUCCEED task, alternating windows).
 *   npm run bench:scale [-- --n 3 --seconds 5 --video basketball1.mp4 --image person2.jpg]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildApp } from '../src/api/app.js';
import { loadConfig, withConfig, type ReadyConfig } from '../src/config/config.js';
import { LocalDiskStorage } from '../src/storage/local/local-disk.js';
import type { TaskBackend } from '../src/tasks/backend.js';
import { openPostgresBackend } from '../src/tasks/postgres/index.js';
import { databasePath, openSqliteBackend } from '../src/tasks/sqlite/index.js';
import { freePort } from '../test/helpers/service-harness.js';
import { openPool } from '../src/tasks/postgres/db.js';
import { startPostgres, startRedis, startS3 } from '../test/helpers/backing-servers.js';
import { fixturesDir } from './fixtures.js';

const { values: args } = parseArgs({ options: {
  n: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' },
  video: { type: 'string', default: 'basketball1.mp4' }, image: { type: 'string', default: 'person2.jpg' },
} });
const N = Number(args.n);
const SECONDS = Number(args.seconds);
const CONNECTIONS = 2 * os.availableParallelism();
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');
const KEY = 'bench-scale-key-0123456789abcdef';
/** The takeover run's lease and stalled interval (short, so the figure is quick to get; the docs give the bound for any). */
const TAKEOVER_LEASE_S = 6;
const TAKEOVER_STALLED_MS = 2000;
/** Long enough for a worker process to load its engine; shorter than the clip's run, so the kill lands mid-task. */
const TAKEOVER_SPARE_START_MS = 8000;
const SECRETS = { MARIONETTE_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 3).toString('base64')}`, MARIONETTE_URL_SIGNING_SECRET: 's'.repeat(40) };

function get(agent: http.Agent, port: number, urlPath: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, agent, headers }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end();
  });
}

async function throughput(agent: http.Agent, port: number, urlPath: string, headers: Record<string, string>, ms: number) {
  const deadline = performance.now() + ms;
  let done = 0;
  let errors = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < deadline) { if ((await get(agent, port, urlPath, headers)) === 200) done++; else errors++; }
  }));
  return { done, errors, seconds: (performance.now() - start) / 1000 };
}

async function waitReady(url: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await fetch(`${url}/readyz`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline) throw new Error(`${url} did not become ready`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** N tasks, then `workers` worker processes; minutes from the first worker's start to the last task's end. */
async function tasksPerMinute(env: Record<string, string>, apiUrl: string, body: string, workers: number): Promise<{ perMin: number; failed: number }> {
  const ids: string[] = [];
  for (let i = 0; i < N; i++) {
    const r = await fetch(`${apiUrl}/v3/async/kling-v2.6-pro-motion-control`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' }, body });
    if (!r.ok) throw new Error(`create answered ${r.status}: ${await r.text()}`);
    ids.push(((await r.json()) as { task_id: string }).task_id);
  }
  const procs: ChildProcess[] = [];
  const dirs: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < workers; i++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-bench-worker-'));
    dirs.push(dir);
    procs.push(spawn(process.execPath, [CLI, 'worker'], { env: { ...process.env, ...env, MARIONETTE_DATA_DIR: dir }, stdio: 'ignore' }));
  }
  const ended = new Set<string>();
  let failed = 0;
  while (ended.size < ids.length) {
    for (const id of ids) {
      if (ended.has(id)) continue;
      const b = await (await fetch(`${apiUrl}/v3/async/task-result?task_id=${id}`, { headers: { Authorization: `Bearer ${KEY}` } })).json() as { task: { status: string } };
      if (b.task.status === 'TASK_STATUS_SUCCEED' || b.task.status === 'TASK_STATUS_FAILED') { ended.add(id); if (b.task.status === 'TASK_STATUS_FAILED') failed++; }
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const minutes = (performance.now() - t0) / 60_000;
  for (const p of procs) p.kill('SIGTERM');
  await Promise.all(procs.map((p) => new Promise((r) => p.once('exit', r))));
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  return { perMin: ids.length / minutes, failed };
}

async function createTask(apiUrl: string, body: string): Promise<string> {
  const r = await fetch(`${apiUrl}/v3/async/kling-v2.6-pro-motion-control`, { method: 'POST', headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' }, body });
  if (!r.ok) throw new Error(`create answered ${r.status}: ${await r.text()}`);
  return ((await r.json()) as { task_id: string }).task_id;
}

/**
 * One task; a second worker idles beside the one running it (as a live fleet does); the running one is killed with
 * SIGKILL: seconds from the kill until the second worker's attempt holds the task.
 */
async function takeoverSeconds(env: Record<string, string>, apiUrl: string, body: string, databaseUrl: string): Promise<number> {
  const id = await createTask(apiUrl, body);
  const db = openPool(databaseUrl, 1);
  const dirs: string[] = [];
  const procs: ChildProcess[] = [];
  const worker = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-bench-worker-'));
    dirs.push(dir);
    const p = spawn(process.execPath, [CLI, 'worker'], { env: { ...process.env, ...env, MARIONETTE_DATA_DIR: dir }, stdio: 'ignore' });
    procs.push(p);
    return p;
  };
  const token = async () => (await db.query<{ t: string | null }>('SELECT attempt_token AS t FROM tasks WHERE id = $1', [id])).rows[0]?.t ?? null;
  try {
    const victim = await worker();
    let first: string | null = null;
    const by = Date.now() + 120_000;
    while (!(first = await token())) { if (Date.now() > by) throw new Error('the task never started'); await new Promise((r) => setTimeout(r, 100)); }
    await worker();
    await new Promise((r) => setTimeout(r, TAKEOVER_SPARE_START_MS)); // the spare has loaded its engine and polls
    victim.kill('SIGKILL');
    const killedAt = performance.now();
    while ((await token()) === first) { if (Date.now() > by + 120_000) throw new Error('the task was never taken over'); await new Promise((r) => setTimeout(r, 100)); }
    const seconds = (performance.now() - killedAt) / 1000;
    while (!['SUCCEED', 'FAILED'].includes((await db.query<{ s: string }>('SELECT status AS s FROM tasks WHERE id = $1', [id])).rows[0].s)) {
      await new Promise((r) => setTimeout(r, 250));
    }
    return seconds;
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    await db.end();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

async function resultRps(backend: TaskBackend, config: ReadyConfig): Promise<{ rps: number; errors: number; close: () => Promise<void> }> {
  const id = `bench${backend.kind}0000000000000`;
  // owned by the bench's key (owners are the SHA-256 of the key), so every read is a 200
  await backend.tasks.createTask({ id, owner: createHash('sha256').update(KEY).digest('hex'), orientation: 'video', keepOriginalSound: true, prompt: '', negativePrompt: '', webhookUrl: null,
    image: { kind: 'url', url: 'https://e.com/a.png' }, video: { kind: 'url', url: 'https://e.com/b.mp4' }, submitMs: Date.now() });
  await backend.tasks.finishTask(id, { status: 'SUCCEED', resultKey: `${id}.mp4`, completeMs: Date.now() });
  const app = await buildApp({ config, store: backend, storage: new LocalDiskStorage(path.join(config.dataDir, 'results')) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const auth = { authorization: `Bearer ${KEY}` };
  const urlPath = `/v3/async/task-result?task_id=${id}`;
  await throughput(agent, port, urlPath, auth, 300);
  return {
    ...(await (async () => { const r = await throughput(agent, port, urlPath, auth, SECONDS * 1000); return { rps: r.done / r.seconds, errors: r.errors }; })()),
    close: async () => { agent.destroy(); await app.close(); },
  };
}

async function main(): Promise<void> {
  const fixtures = fixturesDir();
  if (!fixtures) throw new Error('bench:scale needs ../shared/fixtures');
  const [pg, s3, redis] = await Promise.all([startPostgres(), startS3(), startRedis()]);
  const apiDir = await mkdtemp(path.join(os.tmpdir(), 'marionette-bench-api-'));
  let api: ChildProcess | undefined;
  try {
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const env = {
      MARIONETTE_DATABASE_URL: pg.url, MARIONETTE_S3_ENDPOINT: s3.url, MARIONETTE_S3_BUCKET: s3.bucket, MARIONETTE_S3_ACCESS_KEY_ID: s3.accessKeyId,
      MARIONETTE_S3_SECRET_ACCESS_KEY: s3.secretAccessKey, MARIONETTE_API_KEYS: KEY, MARIONETTE_LOG_LEVEL: 'error', MARIONETTE_PORT: String(port),
      MARIONETTE_HOST: '127.0.0.1', MARIONETTE_PUBLIC_URL: apiUrl, ...SECRETS,
    };
    const body = JSON.stringify({
      image: (await readFile(path.join(fixtures, args.image!))).toString('base64'), video: (await readFile(path.join(fixtures, args.video!))).toString('base64'),
      character_orientation: 'video',
    });
    // the same deployment with either queue: one api process (it enqueues), then the worker processes
    const queues: { name: string; one: { perMin: number; failed: number }; two: { perMin: number; failed: number }; takeoverS: number }[] = [];
    for (const [name, queueEnv] of [['Postgres leases', {}], ['BullMQ on Redis', { MARIONETTE_REDIS_URL: redis.url }]] as const) {
      const qenv: Record<string, string> = { ...env, ...queueEnv };
      api = spawn(process.execPath, [CLI, 'api'], { env: { ...process.env, ...qenv, MARIONETTE_DATA_DIR: apiDir }, stdio: 'ignore' });
      await waitReady(apiUrl, 60_000);
      const one = await tasksPerMinute(qenv, apiUrl, body, 1);
      const two = await tasksPerMinute(qenv, apiUrl, body, 2);
      const takeoverS = await takeoverSeconds({ ...qenv, MARIONETTE_LEASE_S: String(TAKEOVER_LEASE_S), MARIONETTE_REDIS_STALLED_INTERVAL_MS: String(TAKEOVER_STALLED_MS) },
        apiUrl, body, pg.url);
      const stopped = api;
      await new Promise((r) => { stopped.once('exit', r); stopped.kill('SIGTERM'); });
      queues.push({ name, one, two, takeoverS });
    }

    // task-result on each store, in-process, measured one after the other
    const base = withConfig(loadConfig({ MARIONETTE_DATA_DIR: apiDir, MARIONETTE_LOG_LEVEL: 'silent', MARIONETTE_API_KEYS: KEY, MARIONETTE_RATE_LIMIT_PER_MINUTE: '1000000', ...SECRETS }), {}) as ReadyConfig;
    const sqlite = openSqliteBackend(databasePath(path.join(apiDir, 'sqlite')));
    const postgres = await openPostgresBackend(pg.url, true);
    const s = await resultRps(sqlite, base);
    await s.close();
    const p = await resultRps(postgres, base);
    await p.close();
    sqlite.close();
    await postgres.close();

    const perMin = (r: { perMin: number; failed: number }) => `${r.perMin.toFixed(2)}${r.failed ? ` (${r.failed} failed)` : ''}`;
    const rows = [
      ['measure', 'value'],
      ...queues.flatMap((q) => [
        [`tasks/min, 1 worker, ${q.name} (${N} × ${args.video})`, perMin(q.one)],
        [`tasks/min, 2 workers, ${q.name} (${N} × ${args.video})`, perMin(q.two)],
        [`takeover after SIGKILL, ${q.name} (lease ${TAKEOVER_LEASE_S} s${q.name.includes('Redis') ? `, stalled check ${TAKEOVER_STALLED_MS / 1000} s` : ''})`, `${q.takeoverS.toFixed(1)} s`],
      ]),
      [`task-result SQLite (${CONNECTIONS} conns, ${SECONDS} s)`, `${Math.round(s.rps)} req/s (${s.errors} errors)`],
      [`task-result Postgres (${CONNECTIONS} conns, ${SECONDS} s)`, `${Math.round(p.rps)} req/s (${p.errors} errors)`],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [a, b] of rows) process.stdout.write(`${a.padEnd(w)}  ${b}\n`);
  } finally {
    if (api && api.exitCode === null) api.kill('SIGKILL');
    await Promise.all([pg.close(), s3.close(), redis.close(), rm(apiDir, { recursive: true, force: true })]);
  }
}

await main();
