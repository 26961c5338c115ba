/**
 * bench:api — the HTTP API's own cost, engine excluded.
 *  1. create latency (p50/p99) with a ~9.5 MB base64 noise PNG and a small base64 MP4, N=30, sequential;
 *  2. task-result throughput with 2 keep-alive connections per core for ~5 s, beside a bare Fastify app
 *     answering a constant JSON body, measured the same way in the same run, in alternating windows
 *     (target: ≥ 50 % of it);
 *  3. the task list (20 per page, N+2 tasks) with the same connections;
 *  4. the event stream: 100 streams opened at once on a queued task: time to the first event, and task-result
 *     throughput while they stay open (each is read every 250 ms).
 * Per-key limits are raised for the run (they would otherwise answer 429 to a benchmark).
 *   npm run build && node --import tsx bench/api.ts [--n 30] [--seconds 5]
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import Fastify from 'fastify';
import { buildApp } from '../src/api/app.js';
import { createStoredKey } from '../src/api/auth.js';
import { loadConfig } from '../src/config/config.js';
import { resolveSecrets } from '../src/config/secrets.js';
import { LocalDiskStorage } from '../src/storage/local/local-disk.js';
import { resultsDir } from '../src/tasks/paths.js';
import { databasePath, openSqliteBackend } from '../src/tasks/sqlite/index.js';

const run = promisify(execFile);
const { values: args } = parseArgs({ options: { n: { type: 'string', default: '30' }, seconds: { type: 'string', default: '5' } } });
const N = Number(args.n);
const SECONDS = Number(args.seconds);
const CONNECTIONS = 2 * os.availableParallelism();

async function ffmpeg(a: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...a], { timeout: 120_000 });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function request(agent: http.Agent, port: number, method: string, urlPath: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `connections` loops, each sending the next request when the last answered, for `ms`. */
async function throughput(agent: http.Agent, port: number, urlPath: string, headers: Record<string, string>, ms: number): Promise<{ done: number; errors: number; seconds: number }> {
  const deadline = performance.now() + ms;
  let done = 0;
  let errors = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const r = await request(agent, port, 'GET', urlPath, headers);
      if (r.status === 200) done++; else errors++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  return { done, errors, seconds: (performance.now() - start) / 1000 };
}

/**
 * Both servers measured in alternating 500 ms windows, so a busy machine slows both alike
 * rather than whichever happened to run during the busy spell.
 */
async function interleaved(a: () => Promise<{ done: number; errors: number; seconds: number }>, b: () => Promise<{ done: number; errors: number; seconds: number }>) {
  const total = { a: { done: 0, errors: 0, seconds: 0 }, b: { done: 0, errors: 0, seconds: 0 } };
  for (let i = 0; i < SECONDS * 1000 / 500; i++) {
    for (const [k, fn] of [['a', a], ['b', b]] as const) {
      const r = await fn();
      total[k].done += r.done; total[k].errors += r.errors; total[k].seconds += r.seconds;
    }
  }
  return { a: { rps: total.a.done / total.a.seconds, errors: total.a.errors }, b: { rps: total.b.done / total.b.seconds, errors: total.b.errors } };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-bench-api-'));
  try {
    // ~9.5 MB of RGB noise as PNG (just under the 10 MiB input limit) and a 4 s 640x360 clip
    const side = Math.floor(Math.sqrt((9.5 * 1024 * 1024) / 3.02));
    const png = path.join(dir, 'noise.png');
    await ffmpeg(['-f', 'lavfi', '-i', `nullsrc=size=${side}x${side},geq=random(1)*255:random(2)*255:random(3)*255`, '-frames:v', '1', png]);
    const mp4 = path.join(dir, 'clip.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15:duration=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', mp4]);
    const image = (await readFile(png)).toString('base64');
    const video = (await readFile(mp4)).toString('base64');

    const { config } = await resolveSecrets(loadConfig({
      MARIONETTE_DATA_DIR: path.join(dir, 'data'), MARIONETTE_LOG_LEVEL: 'silent', MARIONETTE_RATE_LIMIT_PER_MINUTE: '1000000', MARIONETTE_MAX_ACTIVE_TASKS_PER_KEY: '100000',
    }));
    const backend = openSqliteBackend(databasePath(config.dataDir));
    const storage = new LocalDiskStorage(resultsDir(config.dataDir));
    const { key } = await createStoredKey(backend.keys, 'bench', Date.now());
    const app = await buildApp({ config, store: backend, storage }); // no worker: tasks stay QUEUED
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const auth = { authorization: `Bearer ${key}` };

    const body = JSON.stringify({ image: `data:image/png;base64,${image}`, video: `data:video/mp4;base64,${video}`, character_orientation: 'video' });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const latencies: number[] = [];
    let taskId = '';
    for (let i = 0; i < N + 2; i++) {
      const t0 = performance.now();
      const r = await request(agent, port, 'POST', '/v3/async/kling-v2.6-pro-motion-control', { ...auth, 'content-type': 'application/json' }, body);
      const ms = performance.now() - t0;
      if (r.status !== 200) throw new Error(`create answered ${r.status}: ${r.body}`);
      taskId = (JSON.parse(r.body) as { task_id: string }).task_id;
      if (i >= 2) latencies.push(ms); // two warm-up requests
    }
    agent.destroy();
    latencies.sort((a, b) => a - b);

    // the result path at its most expensive: a finished task, so each reply signs a video URL
    await backend.tasks.markProcessing(taskId, Date.now());
    await backend.tasks.finishTask(taskId, { status: 'SUCCEED', resultKey: `${taskId}.mp4`, completeMs: Date.now() });
    const resultPath = `/v3/async/task-result?task_id=${taskId}`;
    const sample = await request(new http.Agent(), port, 'GET', resultPath, auth);
    if (sample.status !== 200) throw new Error(`task-result answered ${sample.status}`);
    const ref = Fastify({ logger: false });
    const constant = JSON.parse(sample.body) as unknown;
    ref.get('/constant', async () => constant);
    await ref.listen({ port: 0, host: '127.0.0.1' });
    const refPort = (ref.server.address() as AddressInfo).port;
    const appAgent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const refAgent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    await throughput(appAgent, port, resultPath, auth, 300); // warm-up
    await throughput(refAgent, refPort, '/constant', {}, 300);
    const { a: result, b: refResult } = await interleaved(
      () => throughput(appAgent, port, resultPath, auth, 500),
      () => throughput(refAgent, refPort, '/constant', {}, 500),
    );
    const list = await throughput(appAgent, port, '/v3/async/tasks?limit=20', auth, SECONDS * 1000);

    // event streams on a task that stays queued (a fresh one: each event computes its queue position)
    const queued = await request(new http.Agent(), port, 'POST', '/v3/async/kling-v2.6-pro-motion-control', { ...auth, 'content-type': 'application/json' }, body);
    const queuedId = (JSON.parse(queued.body) as { task_id: string }).task_id;
    const STREAMS = 100;
    const firstEventMs: number[] = [];
    const streams: http.ClientRequest[] = [];
    await Promise.all(Array.from({ length: STREAMS }, () => new Promise<void>((resolve, reject) => {
      const t0 = performance.now();
      let seen = false;
      const req = http.request({ host: '127.0.0.1', port, path: `/v3/async/task-events?task_id=${queuedId}`, headers: auth }, (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (c: string) => {
          text += c;
          if (seen || !text.includes('event: task')) return;
          seen = true;
          firstEventMs.push(performance.now() - t0);
          resolve();
        });
      });
      req.on('error', reject);
      req.end();
      streams.push(req);
    })));
    firstEventMs.sort((a, b) => a - b);
    const withStreams = await throughput(appAgent, port, resultPath, auth, SECONDS * 1000);
    for (const s of streams) s.destroy();

    appAgent.destroy();
    refAgent.destroy();
    await ref.close();
    await app.close();
    backend.close();

    const mb = (body.length / 1048576).toFixed(1);
    const rows = [
      ['measure', 'value'],
      [`create p50 (body ${mb} MB, N=${N})`, `${percentile(latencies, 50).toFixed(1)} ms`],
      [`create p99`, `${percentile(latencies, 99).toFixed(1)} ms`],
      [`task-result (${CONNECTIONS} conns, ${SECONDS} s)`, `${Math.round(result.rps)} req/s (${result.errors} errors)`],
      [`bare Fastify constant JSON`, `${Math.round(refResult.rps)} req/s (${refResult.errors} errors)`],
      [`task-result / reference`, `${((100 * result.rps) / refResult.rps).toFixed(0)} % (target ≥ 50 %)`],
      [`task list, 20 per page (${CONNECTIONS} conns, ${SECONDS} s)`, `${Math.round(list.done / list.seconds)} req/s (${list.errors} errors)`],
      [`task-events: first event, ${STREAMS} streams opened at once`, `p50 ${percentile(firstEventMs, 50).toFixed(1)} ms, p99 ${percentile(firstEventMs, 99).toFixed(1)} ms`],
      [`task-result with ${STREAMS} streams open`, `${Math.round(withStreams.done / withStreams.seconds)} req/s (${withStreams.errors} errors)`],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [a, b] of rows) process.stdout.write(`${a.padEnd(w)}  ${b}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
