/**
 * Crashes: a worker process killed with SIGKILL while holding a job leaves an expiring lease; another worker
 * re-claims it and finishes the task. A job whose workers keep dying ends FAILED after MAX_ATTEMPTS. A restarted
 * service still serves a finished task and its result file.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../src/tasks/sqlite/index.js';
import type { JobLease } from '../../src/tasks/types.js';
import { FfmpegEngineDouble } from '../helpers/service-engine-double.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { pollUntilEnded, startService, type Service } from '../helpers/service-harness.js';

const CHILD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../helpers/service-claim-child.ts');
const LEASE_MS = 1500;

/** Starts a separate process that claims a job and holds it; resolves with its lease and a kill -9. */
async function claimInChild(dataDir: string, maxAttempts: number): Promise<{ lease: JobLease | null; kill: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, databasePath(dataDir), String(LEASE_MS), String(maxAttempts)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); if (out.includes('\n')) resolve(out.split('\n')[0]); });
    child.on('exit', (code) => reject(new Error(`claim child exited early (${code})`)));
  });
  return {
    lease: JSON.parse(line) as JobLease | null,
    kill: () => new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL'); }),
  };
}

describe('durability', () => {
  let media: string;
  let image: string;
  let video: string;
  let svc: Service | undefined;

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-dur-'));
    image = (await readFile(await makePng(media))).toString('base64');
    video = (await readFile(await makeMp4(media, { seconds: 3 }))).toString('base64');
  });
  afterAll(async () => {
    await svc?.close();
    await rm(media, { recursive: true, force: true });
  });

  async function createTask(s: Service): Promise<string> {
    const r = await s.app.inject({ method: 'POST', url: '/v3/async/kling-v2.6-pro-motion-control', headers: { authorization: s.apiKey },
      payload: { image, video, character_orientation: 'video' } });
    expect(r.statusCode).toBe(200);
    return (r.json() as { task_id: string }).task_id;
  }

  it('re-claims after a killed worker, fails after MAX_ATTEMPTS, and serves results after a restart', async () => {
    // API only: no worker in this process yet
    svc = await startService({ env: { MARIONETTE_MAX_ATTEMPTS: '3' } });
    const dir = svc.dir;
    const apiKey = svc.apiKey;
    // the doomed task is older, so a claim takes it first whenever its lease is free
    const doomed = await createTask(svc);
    const survivor = await createTask(svc);

    // 1. the doomed task's worker processes keep dying (kill -9) while holding it: 3 claims
    for (let attempt = 1; attempt <= 3; attempt++) {
      const c = await claimInChild(dir, 3);
      expect(c.lease).toMatchObject({ taskId: doomed, attempt });
      await c.kill();
      if (attempt < 3) await new Promise((r) => setTimeout(r, LEASE_MS + 100)); // let the lease expire
    }
    // 2. while the doomed lease is still held, a worker claims the survivor and is killed too
    const second = await claimInChild(dir, 3);
    expect(second.lease).toMatchObject({ taskId: survivor, attempt: 1 });
    await second.kill();
    const mid = await svc.app.inject({ method: 'GET', url: `/v3/async/task-result?task_id=${survivor}`, headers: { authorization: apiKey } });
    expect(mid.json().task.status).toBe('TASK_STATUS_PROCESSING');
    await svc.close({ keepDir: true });

    // 3. restart with a real worker: after the leases expire it finishes the survivor and fails the doomed task
    const engine = new FfmpegEngineDouble();
    svc = await startService({ dir, apiKey, engine, env: { MARIONETTE_MAX_ATTEMPTS: '3', MARIONETTE_LEASE_S: '2' } });
    const ok = (await pollUntilEnded(svc, survivor, apiKey)).pop()!;
    expect(ok.task.status).toBe('TASK_STATUS_SUCCEED');
    const failed = (await pollUntilEnded(svc, doomed, apiKey)).pop()!;
    expect(failed.task.status).toBe('TASK_STATUS_FAILED');
    expect(failed.task.reason).toBe('INTERNAL_ERROR: processing was interrupted 3 times (the worker stopped); try again');
    expect(engine.requests).toHaveLength(1); // the doomed task never reached the engine
    await svc.close({ keepDir: true });

    // 4. another restart (no worker): the finished task and its file are still served
    svc = await startService({ dir, apiKey });
    const again = await svc.app.inject({ method: 'GET', url: `/v3/async/task-result?task_id=${survivor}`, headers: { authorization: apiKey } });
    const body = again.json() as typeof ok;
    expect(body.task).toEqual(ok.task);
    const file = await fetch(body.videos[0].video_url);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('video/mp4');
    expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });
});
