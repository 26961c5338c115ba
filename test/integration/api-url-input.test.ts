/** URL inputs are fetched by the worker: allowed hosts work, private addresses are refused (task FAILED). */
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegEngineDouble } from '../helpers/service-engine-double.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { pollUntilEnded, startService, type Service } from '../helpers/service-harness.js';

const ENDPOINT = '/v3/async/kling-v2.6-pro-motion-control';

describe('URL inputs', () => {
  let server: Server;
  let origin: string;
  let media: string;
  const files = new Map<string, Buffer>();

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-url-'));
    files.set('/image.png', await readFile(await makePng(media)));
    files.set('/video.mp4', await readFile(await makeMp4(media, { seconds: 3 })));
    files.set('/big.mp4', Buffer.alloc(11 * 1024 * 1024, 1));
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      if (!body) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await rm(media, { recursive: true, force: true });
  });

  async function run(svc: Service, body: Record<string, unknown>) {
    const res = await fetch(`${svc.baseUrl}${ENDPOINT}`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${svc.apiKey}` },
      body: JSON.stringify({ character_orientation: 'video', ...body }),
    });
    expect(res.status).toBe(200);
    const { task_id: taskId } = await res.json() as { task_id: string };
    return (await pollUntilEnded(svc, taskId)).pop()!;
  }

  it('fetches from a host in ALLOW_HOSTS and succeeds', async () => {
    const svc = await startService({ engine: new FfmpegEngineDouble(), env: { MARIONETTE_ALLOW_HOSTS: '127.0.0.1' } });
    try {
      const last = await run(svc, { image: `${origin}/image.png`, video: `${origin}/video.mp4` });
      expect(last.task.reason).toBe('');
      expect(last.task.status).toBe('TASK_STATUS_SUCCEED');
      // a limit found while running fails the task with the reason (not a 400: the task exists)
      const big = await run(svc, { image: `${origin}/image.png`, video: `${origin}/big.mp4` });
      expect(big.task.status).toBe('TASK_STATUS_FAILED');
      expect(big.task.reason).toMatch(/^VIDEO_FILE_EXCEEDS_MAX_SIZE: /);
      const missing = await run(svc, { image: `${origin}/nothing.png`, video: `${origin}/video.mp4` });
      expect(missing.task.status).toBe('TASK_STATUS_FAILED');
      expect(missing.task.reason).toMatch(/^INPUT_FETCH_FAILED: .*404/);
      expect(missing.task.progress_percent).toBeLessThan(100);
      expect(missing.videos).toEqual([]);
    } finally {
      await svc.close();
    }
  });

  it('refuses a loopback address without ALLOW_HOSTS: the task FAILS with INPUT_FETCH_FAILED', async () => {
    const svc = await startService({ engine: new FfmpegEngineDouble() });
    try {
      const last = await run(svc, { image: `${origin}/image.png`, video: `${origin}/video.mp4` });
      expect(last.task.status).toBe('TASK_STATUS_FAILED');
      expect(last.task.reason).toMatch(/^INPUT_FETCH_FAILED: /);
      expect(last.task.eta).toBe(0);
      expect(last.extra.debug_info.complete_time_ms).not.toBe('');
    } finally {
      await svc.close();
    }
  });
});
