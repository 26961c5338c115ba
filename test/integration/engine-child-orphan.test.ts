/**
 * The real engine child (dist/engine/child.js) notices its parent's death while it is still loading (its
 * modules, then the pose models in its worker threads) and ends its process group instead of running the
 * task for nobody. The parent is a real process, killed with SIGKILL, so nothing of it can say goodbye.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMp4, makePng } from '../helpers/service-media.js';

const CHILD = path.resolve('dist/engine/child.js');

/** Forks the child as the engine does (own process group, advanced IPC; not this -e script again), sends it a task, prints its pid. */
const PARENT = `
import { fork } from 'node:child_process';
const [childPath, imagePath, videoPath, outputPath] = process.argv.slice(1);
const child = fork(childPath, [], { execArgv: [], stdio: ['ignore', 'ignore', 'ignore', 'ipc'], serialization: 'advanced', detached: true });
child.send({ type: 'animate', threads: 1, req: { imagePath, videoPath, outputPath, orientation: 'video', keepOriginalSound: false } });
process.stdout.write(child.pid + '\\n');
setInterval(() => {}, 60000);
`;

/** Running, as opposed to gone or a zombie (a container's pid 1 may never reap it). */
async function alive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return status !== '' && !/^State:\s+Z/m.test(status);
}

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
}

/** A bare Node process is ~60 MB; the engine's modules and models take it well past this while they load. */
const LOADING_RSS_MB = 150;

async function until(check: () => Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

describe.skipIf(!existsSync(CHILD))('an engine child whose parent dies', () => {
  let dir: string;
  let image: string;
  let video: string;
  const children: number[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-orphan-'));
    image = await makePng(dir);
    video = await makeMp4(dir, { seconds: 3 });
  });
  afterAll(async () => {
    for (const pid of children) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone, as it should be */ } }
    await rm(dir, { recursive: true, force: true });
  });

  async function startParent(): Promise<{ parent: ReturnType<typeof spawn>; child: number }> {
    const parent = spawn(process.execPath, ['--input-type=module', '-e', PARENT, CHILD, image, video, path.join(dir, 'out.mp4')],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const child = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (b: Buffer) => { out += b.toString(); if (out.includes('\n')) resolve(Number(out.trim())); });
      parent.on('exit', () => reject(new Error('the parent exited before forking')));
    });
    children.push(child);
    return { parent, child };
  }

  it('ends while still importing its modules', async () => {
    const { parent, child } = await startParent();
    expect(await alive(child)).toBe(true);
    parent.kill('SIGKILL');
    expect(await until(async () => !(await alive(child)), 5000)).toBe(true);
  });

  it('ends while its engine loads (TensorFlow, the pose models)', async () => {
    const { parent, child } = await startParent();
    expect(await until(async () => (await rssMb(child)) > LOADING_RSS_MB, 30_000)).toBe(true);
    parent.kill('SIGKILL');
    expect(await until(async () => !(await alive(child)), 5000)).toBe(true);
  });
});
