/**
 * A real SIGTERM to the real `serve` (node dist/cli.js; the engine child a double that does what the prompt
 * says): a task that finished just before and one that finishes during the grace period have their webhooks
 * delivered before the process exits; the task still running when the grace ends is aborted, its ffmpeg (in the
 * engine's process group) is gone, and its job is back in the queue, its attempt not counted; the exit code is 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath, openSqliteBackend } from '../../src/tasks/sqlite/index.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { freePort } from '../helpers/service-harness.js';

const CLI = path.resolve('dist/cli.js');
const ENGINE_DOUBLE = path.resolve('test/helpers/engine-child-by-prompt.ts');
const API_KEY = 'sigterm-test-key-0123456789';

/** Running, as opposed to gone or a zombie. */
async function alive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return status !== '' && !/^State:\s+Z/m.test(status);
}

/** ffmpeg processes whose command line names `dir`. */
async function ffmpegsUnder(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const cmd = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (path.basename(cmd[0] ?? '') === 'ffmpeg' && cmd.some((a) => a.includes(dir)) && await alive(Number(name))) out.push(Number(name));
  }
  return out;
}

async function until<T>(what: string, check: () => Promise<T | null | false>, deadlineMs: number): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what} did not happen within ${deadlineMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!existsSync(CLI))('SIGTERM to serve', () => {
  let dir: string;
  let hooks: Server;
  const deliveries = new Map<string, string[]>();
  let serve: ChildProcess | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-sigterm-'));
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const p = (JSON.parse(body) as { payload: { task: { task_id: string; status: string } } }).payload.task;
        deliveries.set(p.task_id, [...(deliveries.get(p.task_id) ?? []), p.status]);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    if (serve && serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    for (const pid of await ffmpegsUnder(dir)) process.kill(pid, 'SIGKILL');
    await new Promise((r) => hooks.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers the finished tasks\' webhooks, kills the aborted task\'s ffmpeg, re-queues it, and exits 0', async () => {
    const dataDir = path.join(dir, 'data');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    // node --import tsx: the engine double is TypeScript (the service's own code is the built dist/).
    serve = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve'], {
      env: {
        ...process.env, MARIONETTE_DATA_DIR: dataDir, MARIONETTE_PORT: String(port), MARIONETTE_HOST: '127.0.0.1', MARIONETTE_API_KEYS: API_KEY,
        MARIONETTE_LOG_LEVEL: 'warn', MARIONETTE_ALLOW_HOSTS: '127.0.0.1', MARIONETTE_WORKERS: '2', MARIONETTE_ENGINE_THREADS: '1',
        MARIONETTE_ENGINE_CHILD: ENGINE_DOUBLE, MARIONETTE_SHUTDOWN_GRACE_MS: '8000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    serve.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString()).slice(-4000); });
    const exited = new Promise<{ code: number | null; signal: string | null; deliveredAtExit: Map<string, string[]> }>((resolve) => {
      serve!.on('exit', (code, signal) => resolve({ code, signal, deliveredAtExit: new Map(deliveries) }));
    });
    await until('readiness', () => fetch(`${base}/readyz`).then((r) => r.status === 200, () => false), 60_000);

    const image = (await readFile(await makePng(dir))).toString('base64');
    const video = (await readFile(await makeMp4(dir, { seconds: 3 }))).toString('base64');
    const hook = `http://127.0.0.1:${(hooks.address() as { port: number }).port}/hook`;
    const auth = { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' };
    const create = async (prompt: string) => {
      const r = await fetch(`${base}/v3/async/kling-v2.6-pro-motion-control`, { method: 'POST', headers: auth,
        body: JSON.stringify({ image, video, character_orientation: 'video', prompt, extra: { webhook: { url: hook } } }) });
      expect(r.status).toBe(200);
      return ((await r.json()) as { task_id: string }).task_id;
    };
    const status = async (id: string) => ((await (await fetch(`${base}/v3/async/task-result?task_id=${id}`, { headers: auth })).json()) as { task: { status: string } }).task.status;

    const finished = await create('quick:0');
    await until('the first task ending', async () => (await status(finished)) === 'TASK_STATUS_SUCCEED', 60_000);
    const inGrace = await create('quick:1500');
    const held = await create('hold');
    await until('both tasks running', async () => (await status(inGrace)) === 'TASK_STATUS_PROCESSING' && (await status(held)) === 'TASK_STATUS_PROCESSING', 60_000);
    const heldFfmpeg = await until('the held task\'s ffmpeg', async () => (await ffmpegsUnder(path.join(dataDir, 'work', held)))[0] ?? null, 60_000);

    serve.kill('SIGTERM');
    const end = await exited;
    expect(end, stderr).toMatchObject({ code: 0, signal: null });
    // Delivered before the process was gone: once each, with the outcome.
    expect(end.deliveredAtExit.get(finished)).toEqual(['TASK_STATUS_SUCCEED']);
    expect(end.deliveredAtExit.get(inGrace)).toEqual(['TASK_STATUS_SUCCEED']);
    expect(end.deliveredAtExit.has(held)).toBe(false);
    // The aborted engine's ffmpeg went with its process group.
    expect(await alive(heldFfmpeg)).toBe(false);
    expect(await ffmpegsUnder(dataDir)).toEqual([]);
    // Not lost: its job is back in the queue, this attempt not counted.
    const backend = openSqliteBackend(databasePath(dataDir));
    try {
      expect((await backend.tasks.getTaskStatus(held))?.status).toBe('PROCESSING');
      const again = await backend.queue.claim(Date.now(), 10_000, 3);
      expect(again).toMatchObject({ taskId: held, attempt: 1 });
    } finally {
      backend.close();
    }
  }, 180_000);
});
