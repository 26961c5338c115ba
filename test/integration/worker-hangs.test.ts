/**
 * No task stuck: an engine that never answers (and ignores its abort) and a real engine child whose ffprobe stalls
 * both end their task FAILED within the stage deadline, naming the stage; the worker then runs the next task, and
 * the stalled ffprobe (a grandchild) is killed with the engine's process group. A killed engine child is another
 * attempt, like a dead worker, and says so when attempts run out.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/config/logger.js';
import { createCpuEngine } from '../../src/engine/index.js';
import { EngineCrashedError } from '../../src/engine/errors.js';
import type { AnimateRequest, AnimateResult, EngineProgress, MotionEngine } from '../../src/engine/types.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { FfmpegEngineDouble } from '../helpers/service-engine-double.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { pollUntilEnded, startService, type Service } from '../helpers/service-harness.js';

/** Hangs (ignoring its signal) on the calls listed, after one progress report; otherwise the ffmpeg double. */
class SometimesHangingEngine implements MotionEngine {
  calls = 0;
  private readonly real = new FfmpegEngineDouble();
  constructor(private readonly behaviour: (call: number) => 'hang' | 'crash' | 'work') {}
  ready(): Promise<void> { return Promise.resolve(); }
  close(): Promise<void> { return Promise.resolve(); }
  animate(req: AnimateRequest, onProgress: (p: EngineProgress) => void, signal?: AbortSignal): Promise<AnimateResult> {
    this.calls++;
    const b = this.behaviour(this.calls);
    if (b === 'hang') { onProgress({ stage: 'motion', fraction: 0.3 }); return new Promise(() => { /* never */ }); }
    if (b === 'crash') return Promise.reject(new EngineCrashedError(null, 'SIGKILL', false));
    return this.real.animate(req, onProgress, signal);
  }
}

/** Running, as opposed to gone or a zombie (dead, waiting for a reaper: a container's pid 1 may never reap). */
async function processAlive(pid: number): Promise<boolean> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return status !== '' && !/^State:\s+Z/m.test(status);
}

describe('hung and killed engines', () => {
  let media: string;
  let image: string;
  let video: string;
  let svc: Service | undefined;

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-hang-'));
    image = (await readFile(await makePng(media))).toString('base64');
    video = (await readFile(await makeMp4(media, { seconds: 3 }))).toString('base64');
  });
  afterAll(async () => {
    await svc?.close();
    await rm(media, { recursive: true, force: true });
  });

  async function create(s: Service): Promise<string> {
    const r = await s.app.inject({ method: 'POST', url: '/v3/async/kling-v2.6-pro-motion-control', headers: { authorization: s.apiKey },
      payload: { image, video, character_orientation: 'video' } });
    expect(r.statusCode).toBe(200);
    return (r.json() as { task_id: string }).task_id;
  }

  it('an engine that never answers fails its task naming the stage, and the worker takes the next task', async () => {
    const engine = new SometimesHangingEngine((n) => (n === 1 ? 'hang' : 'work'));
    svc = await startService({ engine, env: { MARIONETTE_STAGE_DEADLINE_MS: '1500', MARIONETTE_STAGE_DEADLINE_PER_CLIP_SECOND_MS: '0' } });
    const hung = await create(svc);
    const next = await create(svc);
    const failed = (await pollUntilEnded(svc, hung)).pop()!;
    expect(failed.task.status).toBe('TASK_STATUS_FAILED');
    expect(failed.task.reason).toMatch(/^INTERNAL_ERROR: the engine's motion \(pose tracking\) stage did not finish within 2 s/);
    const ok = (await pollUntilEnded(svc, next)).pop()!;
    expect(ok.task.status).toBe('TASK_STATUS_SUCCEED');
    expect(svc.worker!.activeCount).toBe(0);
    await svc.close();
    svc = undefined;
  });

  it('a killed engine process gets another attempt, and says what happened when attempts run out', async () => {
    const engine = new SometimesHangingEngine((n) => (n <= 3 ? 'crash' : 'work'));
    svc = await startService({ engine, env: { MARIONETTE_MAX_ATTEMPTS: '2' } });
    const doomed = await create(svc);
    const failed = (await pollUntilEnded(svc, doomed)).pop()!;
    expect(failed.task.status).toBe('TASK_STATUS_FAILED');
    expect(failed.task.reason).toMatch(/^INTERNAL_ERROR: the engine process was killed \(SIGKILL.*\(2 attempts\)/);
    expect(engine.calls).toBe(2);
    const retried = await create(svc); // call 3 crashes, call 4 works: one retry and done
    expect((await pollUntilEnded(svc, retried)).pop()!.task.status).toBe('TASK_STATUS_SUCCEED');
    expect(engine.calls).toBe(4);
    await svc.close();
    svc = undefined;
  });

  it('an ffprobe that stalls inside the real engine child: FAILED naming the probe stage, the stalled process killed', async () => {
    svc = await startService({ env: { MARIONETTE_STAGE_DEADLINE_MS: '8000', MARIONETTE_STAGE_DEADLINE_PER_CLIP_SECOND_MS: '0' } });
    const taskId = await create(svc); // inspected with the real ffprobe before the fake one is on PATH
    const bin = await mkdtemp(path.join(os.tmpdir(), 'marionette-fakebin-'));
    const pidFile = path.join(bin, 'ffprobe.pid');
    await writeFile(path.join(bin, 'ffprobe'), `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 600\n`);
    await chmod(path.join(bin, 'ffprobe'), 0o755);
    const savedPath = process.env.PATH;
    process.env.PATH = `${bin}:${savedPath ?? ''}`; // inherited by the engine child it forks
    const engine = createCpuEngine({ threads: 1 });
    const worker = new TaskWorker({ config: svc.config, tasks: svc.backend.tasks, queue: svc.backend.queue, storage: svc.storage, engine,
      logger: createLogger('silent'), pollIntervalMs: 50 });
    try {
      worker.start();
      const failed = (await pollUntilEnded(svc, taskId, svc.apiKey, 60_000)).pop()!;
      expect(failed.task.status).toBe('TASK_STATUS_FAILED');
      expect(failed.task.reason).toMatch(/^INTERNAL_ERROR: the engine's probe stage did not finish within 8 s/);
      const pid = Number((await readFile(pidFile, 'utf8')).trim());
      await new Promise((r) => setTimeout(r, 200));
      expect(await processAlive(pid)).toBe(false);
      expect(worker.activeCount).toBe(0);
    } finally {
      process.env.PATH = savedPath;
      await worker.stop(1000);
      await rm(bin, { recursive: true, force: true });
    }
  });
});
