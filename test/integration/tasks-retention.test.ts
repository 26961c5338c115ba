/** The retention sweep removes inputs of ended tasks, results older than RESULT_TTL_S, and inputs without a task. */
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/config/logger.js';
import { inputDir, workDir } from '../../src/tasks/paths.js';
import { sweepLeftovers, sweepOnce } from '../../src/tasks/retention.js';
import { startService, type Service } from '../helpers/service-harness.js';

describe('retention sweep', () => {
  let svc: Service;
  beforeAll(async () => { svc = await startService(); });
  afterAll(async () => { await svc?.close(); });

  it('deletes ended tasks\' inputs, old results and orphaned input dirs; keeps the rest', async () => {
    const base = { owner: 'o', orientation: 'video' as const, keepOriginalSound: true, prompt: '', negativePrompt: '', webhookUrl: null, submitMs: 1 };
    const putObject = async (key: string) => {
      const src = path.join(svc.dir, `${key}.src`);
      await writeFile(src, 'x');
      await svc.storage.putFile(key, src);
    };
    for (const id of ['ended', 'running']) {
      const dir = inputDir(svc.dir, id); // an API's upload scratch, normally gone already
      await mkdir(dir, { recursive: true });
      await putObject(`in_${id}_image.png`);
      await svc.backend.tasks.createTask({ ...base, id, image: { kind: 'object', key: `in_${id}_image.png` }, video: { kind: 'url', url: 'https://e.com/v.mp4' } });
    }
    // an input stored by a submit that crashed before its task existed, an hour ago
    await putObject('in_lost_video.mp4');
    const hourAgo = new Date(Date.now() - 2 * 3600_000);
    await utimes(path.join(svc.dir, 'results', 'in_lost_video.mp4'), hourAgo, hourAgo);
    await svc.backend.tasks.finishTask('ended', { status: 'FAILED', reason: 'X: y', completeMs: 2 });
    const orphan = inputDir(svc.dir, 'orphan');
    await mkdir(orphan, { recursive: true });
    const old = new Date(Date.now() - 2 * 3600_000);
    await utimes(orphan, old, old);

    for (const key of ['old.mp4', 'new.mp4']) {
      const src = path.join(svc.dir, `${key}.src`);
      await writeFile(src, 'v');
      await svc.storage.putFile(key, src);
    }
    const oldTime = new Date(Date.now() - (svc.config.resultTtlS + 10) * 1000);
    await utimes(path.join(svc.dir, 'results', 'old.mp4'), oldTime, oldTime);

    const r = await sweepOnce({ tasks: svc.backend.tasks, storage: svc.storage, dataDir: svc.dir, resultTtlS: svc.config.resultTtlS, logger: createLogger('silent') });
    expect(r).toEqual({ inputs: 1, results: 1, orphans: 2 });
    expect((await readdir(path.join(svc.dir, 'inputs'))).sort()).toEqual(['running']);
    expect((await readdir(path.join(svc.dir, 'results'))).sort()).toEqual(['in_running_image.png', 'new.mp4']);
    expect((await svc.backend.tasks.getTask('ended'))!.inputsDeleted).toBe(true);
    // a second sweep has nothing to do
    expect(await sweepOnce({ tasks: svc.backend.tasks, storage: svc.storage, dataDir: svc.dir, resultTtlS: svc.config.resultTtlS, logger: createLogger('silent') }))
      .toEqual({ inputs: 0, results: 0, orphans: 0 });
  });

  it('deletes ended rows after TASK_RETENTION_S (not those with a webhook still due), and leftovers of dead processes', async () => {
    const base = { owner: 'o2', orientation: 'video' as const, keepOriginalSound: true, prompt: '', negativePrompt: '', submitMs: 1,
      image: { kind: 'url' as const, url: 'https://e.com/i.png' }, video: { kind: 'url' as const, url: 'https://e.com/v.mp4' } };
    await svc.backend.tasks.createTask({ ...base, id: 'old-done', webhookUrl: null });
    await svc.backend.tasks.createTask({ ...base, id: 'old-hook-due', webhookUrl: 'https://e.com/h' });
    await svc.backend.tasks.createTask({ ...base, id: 'recent-done', webhookUrl: null });
    const longAgo = Date.now() - 40 * 86400_000;
    await svc.backend.tasks.finishTask('old-done', { status: 'FAILED', reason: 'X: y', completeMs: longAgo });
    await svc.backend.tasks.finishTask('old-hook-due', { status: 'FAILED', reason: 'X: y', completeMs: longAgo });
    await svc.backend.tasks.finishTask('recent-done', { status: 'FAILED', reason: 'X: y', completeMs: Date.now() });
    const deps = { tasks: svc.backend.tasks, storage: svc.storage, dataDir: svc.dir, resultTtlS: svc.config.resultTtlS, logger: createLogger('silent'),
      queries: svc.backend.queries, taskRetentionS: 30 * 86400 };
    const r = await sweepOnce(deps);
    expect(r.rows).toBe(2); // and the first test's 'ended'
    expect(await svc.backend.tasks.getTask('old-done')).toBeNull();
    expect(await svc.backend.tasks.getTask('ended')).toBeNull();
    expect(await svc.backend.tasks.getTask('old-hook-due')).not.toBeNull();
    expect(await svc.backend.tasks.getTask('recent-done')).not.toBeNull();

    // a result half-moved by a process that is gone, and the scratch dir of an ended task; a live one is kept
    const results = path.join(svc.dir, 'results');
    await writeFile(path.join(results, 'x.mp4.incoming-999999'), 'partial');
    await writeFile(path.join(results, 'z.mp4.incoming-999999-k3j9x2'), 'partial, as LocalDiskStorage names it');
    await writeFile(path.join(results, `y.mp4.incoming-${process.pid}`), 'mine, in progress');
    await mkdir(workDir(svc.dir, 'recent-done'), { recursive: true });
    await svc.backend.tasks.createTask({ ...base, id: 'queued', webhookUrl: null });
    await mkdir(workDir(svc.dir, 'queued'), { recursive: true });
    expect(await sweepLeftovers(deps)).toEqual({ incoming: 2, scratch: 1 });
    expect((await readdir(results)).filter((n) => n.includes('incoming'))).toEqual([`y.mp4.incoming-${process.pid}`]);
    expect(await readdir(path.join(svc.dir, 'work'))).toEqual(['queued']);
  });
});
