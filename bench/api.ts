/**
 * bench:api — the HTTP API's own cost, engine excluded.
 *  1. create latency (p50/p99) with a ~9.5 MB base64 noise PNG and a small base64 MP4, N=30, sequential;
 *  2. task-result throughput with 2 keep-alive connections per core for ~5 s, beside a bare Fastify app
 *     answering a constant JSON body, measured the same way in the same run, in alternating windows
 *     (target: ≥ 50 % of it);
 *  3. the task list (20 per page, N+2 tasks) with the same connections;
 *  4. the event stream: 100 streams opened at once on a queued task: time to the first event, and task-result
 *     throughput while they stay open (each is read every 250 ms);
 *  5. 20 creates of ~8 MB each sent at once: the largest event-loop delay while they run and the RSS after,
 *     with base64 decoded and inspected in worker threads (the service) beside on the event loop (as before); each in
 *     a fresh process (--only burst --decoder worker|loop) so its RSS is its own.
 * Per-key limits are raised for the run (they would otherwise answer 429 to a benchmark).
 *   npm run build && node --import tsx bench/api.ts [--n 30] [--seconds 5] [--only burst]
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import Fastify from 'fastify';
import { buildApp } from '../src/api/app.js';
import type { Base64Decoder } from '../src/media/base64-decoder.js';
import { decodeBase64 } from '../src/media/decode-input.js';
import { inspectImageFile, inspectVideoFile } from '../src/media/inspect.js';
import { createStoredKey } from '../src/api/auth.js';
import { loadConfig } from '../src/config/config.js';
import { resolveSecrets } from '../src/config/secrets.js';
import { LocalDiskStorage } from '../src/storage/local/local-disk.js';
import { resultsDir } from '../src/tasks/paths.js';
import { databasePath, openSqliteBackend } from '../src/tasks/sqlite/index.js';

const run = promisify(execFile);
const { values: args } = parseArgs({ options: {
  n: { type: 'string', default: '30' }, seconds: { type: 'string', default: '5' }, only: { type: 'string' }, decoder: { type: 'string', default: 'worker' },
} });
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

/** The old path, for comparison: base64 checked, decoded and inspected (its ffprobe/ffmpeg spawned) from the event loop. */
const onLoopDecoder: Base64Decoder = {
  async decodeAndInspect(field, input, dest, orientation) {
    const bytes = decodeBase64(field, input.payload, input.what);
    await writeFile(dest, bytes);
    const inspected = field === 'image' ? { field, info: await inspectImageFile(dest) } as const : { field, info: await inspectVideoFile(dest, orientation) } as const;
    return { bytes: bytes.length, threadId: 0, inspected };
  },
  async close() { /* nothing held */ },
};

const BURST = 20;

/** Section 5 in this process: BURST creates of ~8 MB at once; prints one JSON line. */
async function burst(decoderName: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-bench-burst-'));
  try {
    const side = Math.floor(Math.sqrt((5.8 * 1024 * 1024) / 3.02));
    const png = path.join(dir, 'noise.png');
    await ffmpeg(['-f', 'lavfi', '-i', `nullsrc=size=${side}x${side},geq=random(1)*255:random(2)*255:random(3)*255`, '-frames:v', '1', png]);
    const mp4 = path.join(dir, 'clip.mp4');
    await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15:duration=4', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', mp4]);
    const body = JSON.stringify({ image: (await readFile(png)).toString('base64'), video: (await readFile(mp4)).toString('base64'), character_orientation: 'video' });
    const { config } = await resolveSecrets(loadConfig({
      MARIONETTE_DATA_DIR: path.join(dir, 'data'), MARIONETTE_LOG_LEVEL: 'silent', MARIONETTE_RATE_LIMIT_PER_MINUTE: '1000000', MARIONETTE_MAX_ACTIVE_TASKS_PER_KEY: '100000',
    }));
    const backend = openSqliteBackend(databasePath(config.dataDir));
    const storage = new LocalDiskStorage(resultsDir(config.dataDir));
    const { key } = await createStoredKey(backend.keys, 'bench', Date.now());
    const app = await buildApp({ config, store: backend, storage, ...(decoderName === 'loop' ? { base64Decoder: onLoopDecoder } : {}) });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as AddressInfo).port;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    // one create first: the decoder's threads and ffmpeg warm
    await request(new http.Agent(), port, 'POST', '/v3/async/kling-v2.6-pro-motion-control', headers, body);
    const rssBefore = process.memoryUsage().rss;
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const t0 = performance.now();
    const agent = new http.Agent({ keepAlive: false, maxSockets: BURST });
    const answers = await Promise.all(Array.from({ length: BURST }, () => request(agent, port, 'POST', '/v3/async/kling-v2.6-pro-motion-control', headers, body)));
    const seconds = (performance.now() - t0) / 1000;
    delay.disable();
    const rssAfter = process.memoryUsage().rss;
    await app.close();
    backend.close();
    const statuses: Record<string, number> = {};
    for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
    process.stdout.write(`${JSON.stringify({ decoder: decoderName, bodyMb: body.length / 1048576, maxDelayMs: delay.max / 1e6, p99DelayMs: delay.percentile(99) / 1e6,
      seconds, statuses, rssBeforeMb: rssBefore / 1048576, rssAfterMb: rssAfter / 1048576 })}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface BurstFigures { decoder: string; bodyMb: number; maxDelayMs: number; p99DelayMs: number; seconds: number; statuses: Record<string, number>; rssBeforeMb: number; rssAfterMb: number }

/** Section 5, each decoder in a fresh process. */
async function burstRows(): Promise<string[][]> {
  const rows: string[][] = [];
  for (const decoder of ['worker', 'loop']) {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--only', 'burst-child', '--decoder', decoder],
      { timeout: 600_000, maxBuffer: 1 << 20 });
    const f = JSON.parse(stdout.trim().split('\n').pop()!) as BurstFigures;
    const label = decoder === 'worker' ? 'worker threads' : 'on the event loop (before)';
    rows.push([`${BURST} creates of ${f.bodyMb.toFixed(1)} MB at once, decode + inspect ${label}`,
      `max event-loop delay ${f.maxDelayMs.toFixed(0)} ms (p99 ${f.p99DelayMs.toFixed(0)} ms), ${f.seconds.toFixed(1)} s, answers ${JSON.stringify(f.statuses)}, RSS ${f.rssBeforeMb.toFixed(0)} → ${f.rssAfterMb.toFixed(0)} MB`]);
  }
  return rows;
}

function printRows(rows: string[][]): void {
  const w = Math.max(...rows.map((r) => r[0].length));
  for (const [a, b] of rows) process.stdout.write(`${a.padEnd(w)}  ${b}\n`);
}

async function main(): Promise<void> {
  if (args.only === 'burst-child') { await burst(args.decoder ?? 'worker'); return; }
  if (args.only === 'burst') { printRows([['measure', 'value'], ...await burstRows()]); return; }
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
      ...await burstRows(),
    ];
    printRows(rows);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
