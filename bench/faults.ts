/**
 * test:faults — 20 tasks through the real API process (`marionette api`) and a real worker process (the real
 * TaskWorker and child-process engine, with bench/fault-engine-child.ts as the engine), while the worker, an
 * engine child, or the whole service is killed with SIGKILL at random points. Reports how many tasks ended, how
 * long the slowest took, that none was lost, and that no process of ours was left behind.
 *   npm run test:faults [-- --tasks 20 --seed 7 --deadline-s 300]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { rng } from '../test/helpers/rng.js';
import { freePort } from '../test/helpers/service-harness.js';
import { makeMp4, makePng } from '../test/helpers/service-media.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(here, '../dist/cli.js');
const { values: args } = parseArgs({ options: { tasks: { type: 'string', default: '20' }, seed: { type: 'string', default: '7' }, 'deadline-s': { type: 'string', default: '300' } } });
const TASKS = Number(args.tasks);
const random = rng(Number(args.seed));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-faults-'));
const dataDir = path.join(dir, 'data');
const port = await freePort();
const env = {
  ...process.env, MARIONETTE_DATA_DIR: dataDir, MARIONETTE_PORT: String(port), MARIONETTE_LOG_LEVEL: 'info', MARIONETTE_LEASE_S: '2',
  MARIONETTE_MAX_ATTEMPTS: '6', MARIONETTE_WORKERS: '1', MARIONETTE_MAX_ACTIVE_TASKS_PER_KEY: '1000', MARIONETTE_RATE_LIMIT_PER_MINUTE: '100000',
};
const base = `http://127.0.0.1:${port}`;

function startProcess(name: string, argv: string[], readyText: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s: ${log}`)), 60_000);
    child.stderr!.on('data', (b: Buffer) => {
      log = (log + b.toString()).slice(-4000);
      if (log.includes(readyText)) { clearTimeout(timer); resolve(child); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${name} exited (${code}) while starting: ${log}`)); });
  });
}
const startApi = () => startProcess('api', [CLI, 'api'], '"listening"');
const startWorker = () => startProcess('worker', ['--import', 'tsx', path.join(here, 'fault-worker.ts')], 'fault-worker ready');

function kill(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL'); });
}

/** Processes whose command line mentions our data dir or engine double (ffmpeg on a task's files, engine children). */
async function ourProcesses(): Promise<{ pid: number; ppid: number; cmd: string }[]> {
  const out: { pid: number; ppid: number; cmd: string }[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const state = / \) ?([A-Z]) /.exec(stat.replace(/^.*\)/, ') '))?.[1];
    if (!cmd || state === 'Z') continue;
    if (cmd.includes(dataDir) || cmd.includes('fault-engine-child')) out.push({ pid: Number(name), ppid: Number(stat.replace(/^.*\) [A-Z] /, '').split(' ')[0]), cmd });
  }
  return out;
}

const media = path.join(dir, 'media');
await import('node:fs/promises').then((fs) => fs.mkdir(media));
const image = (await readFile(await makePng(media, 'c.png', '320x400'))).toString('base64');
const video = (await readFile(await makeMp4(media, { seconds: 3, size: '320x320', fps: 10, audio: false }))).toString('base64');

let api: ChildProcess | null = await startApi();
let worker: ChildProcess | null = await startWorker();
const key = (await readFile(path.join(dataDir, 'first-api-key.txt'), 'utf8')).trim();
const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' };

const ids: string[] = [];
for (let i = 0; i < TASKS; i++) {
  const r = await fetch(`${base}/v3/async/kling-v2.6-pro-motion-control`, { method: 'POST', headers, body: JSON.stringify({ image, video, character_orientation: 'video' }) });
  if (r.status !== 200) throw new Error(`create answered ${r.status}: ${await r.text()}`);
  ids.push(((await r.json()) as { task_id: string }).task_id);
}
console.log(`${TASKS} tasks created; faults begin`);

interface Row { task: { task_id: string; status: string; reason: string }; extra: { debug_info: { submit_time_ms: string; complete_time_ms: string } } }
async function snapshot(): Promise<Map<string, Row> | null> {
  try {
    const r = await fetch(`${base}/v3/async/tasks?limit=100`, { headers });
    if (r.status !== 200) return null;
    return new Map(((await r.json()) as { tasks: Row[] }).tasks.map((t) => [t.task.task_id, t]));
  } catch { return null; }
}
const ended = (s: string) => s === 'TASK_STATUS_SUCCEED' || s === 'TASK_STATUS_FAILED';

const faults = { worker: 0, engineChild: 0, service: 0 };
const started = Date.now();
const deadline = started + Number(args['deadline-s']) * 1000;
let last: Map<string, Row> | null = null;
let nextFault = Date.now() + 1000 + random() * 2000;
while (Date.now() < deadline) {
  const snap = await snapshot();
  if (snap) last = snap;
  const done = last ? ids.filter((id) => ended(last!.get(id)?.task.status ?? '')).length : 0;
  if (done === TASKS) break;
  // Faults only while at least a few tasks remain, so the end is reached too.
  if (Date.now() >= nextFault && done < TASKS - 2) {
    // Each kind in turn (so each is met), at random moments.
    const kind = (['engine', 'worker', 'service'] as const)[(faults.worker + faults.engineChild + faults.service) % 3];
    if (kind === 'worker') {
      faults.worker++;
      await kill(worker);
      worker = await startWorker();
    } else if (kind === 'engine') {
      const children = (await ourProcesses()).filter((p) => p.cmd.includes('fault-engine-child') && p.ppid === worker?.pid);
      if (children.length === 0) { await sleep(200); continue; } // between tasks: try again shortly
      faults.engineChild++;
      process.kill(children[Math.floor(random() * children.length)].pid, 'SIGKILL');
    } else {
      faults.service++;
      await Promise.all([kill(api), kill(worker)]);
      api = await startApi();
      worker = await startWorker();
    }
    // A few seconds apart: tasks must be able to finish between faults, or nothing ever would.
    nextFault = Date.now() + 2000 + random() * 3000;
  }
  await sleep(300);
}

const rows = ids.map((id) => last?.get(id));
const endedRows = rows.filter((r): r is Row => r !== undefined && ended(r.task.status));
const succeeded = endedRows.filter((r) => r.task.status === 'TASK_STATUS_SUCCEED').length;
const reasons = new Map<string, number>();
for (const r of endedRows) if (r.task.status === 'TASK_STATUS_FAILED') reasons.set(r.task.reason, (reasons.get(r.task.reason) ?? 0) + 1);
const slowestS = Math.max(0, ...endedRows.map((r) => (Number(r.extra.debug_info.complete_time_ms) - Number(r.extra.debug_info.submit_time_ms)) / 1000));
const lost = TASKS - endedRows.length;

await Promise.all([kill(api), kill(worker)]);
await sleep(500);
const leftovers = await ourProcesses();

console.log(`faults injected: worker killed ${faults.worker}×, engine child killed ${faults.engineChild}×, whole service killed ${faults.service}×`);
console.log(`tasks ended: ${endedRows.length}/${TASKS} (${succeeded} succeeded, ${endedRows.length - succeeded} failed) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
for (const [reason, n] of reasons) console.log(`  failed ×${n}: ${reason}`);
console.log(`slowest task, submit to end: ${slowestS.toFixed(1)} s`);
console.log(`lost (not ended by the deadline): ${lost}`);
console.log(`processes left behind: ${leftovers.length}${leftovers.map((p) => `\n  ${p.pid} ${p.cmd.slice(0, 120)}`).join('')}`);
await rm(dir, { recursive: true, force: true });
process.exitCode = lost === 0 && leftovers.length === 0 ? 0 : 1;
