/**
 * Inputs are fetched outside the engine slot: a URL served at 1 byte/s does not hold the only slot, so a task
 * with base64 inputs created after it finishes while the slow one is still fetching; a shutdown hands the
 * fetching job back at once. A fetched input is written to object storage and the task names the object, so a
 * second attempt (on any machine) reads it from storage and does not fetch again: on local disk and on S3.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/config/logger.js';
import { resolveSecrets } from '../../src/config/secrets.js';
import { EngineCrashedError } from '../../src/engine/errors.js';
import type { AnimateRequest, AnimateResult, EngineProgress, MotionEngine } from '../../src/engine/types.js';
import { LocalDiskStorage } from '../../src/storage/local/local-disk.js';
import { inputKeyFor, type ObjectStorage } from '../../src/storage/object-storage.js';
import { S3Storage } from '../../src/storage/s3/s3-storage.js';
import { databasePath, openSqliteBackend } from '../../src/tasks/sqlite/index.js';
import { TaskWorker } from '../../src/tasks/worker.js';
import { startS3, type RunningS3 } from '../helpers/backing-servers.js';
import { FfmpegEngineDouble } from '../helpers/service-engine-double.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { pollUntilEnded, startService, type Service } from '../helpers/service-harness.js';

const ENDPOINT = '/v3/async/kling-v2.6-pro-motion-control';

/** Serves files whole, and /slow.png one byte a second until told to send the rest. */
class InputServer {
  readonly requests = new Map<string, number>();
  slowOpen = false;
  slowClosedByClient = false;
  private slow: { res: ServerResponse; timer: NodeJS.Timeout; sent: number } | null = null;
  private server: Server | null = null;
  origin = '';

  constructor(private readonly files: Map<string, Buffer>) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = req.url ?? '';
      this.requests.set(url, (this.requests.get(url) ?? 0) + 1);
      if (url === '/slow.png') { this.trickle(res, this.files.get('/image.png')!); return; }
      const body = this.files.get(url);
      if (!body) { res.writeHead(404).end(); return; }
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private trickle(res: ServerResponse, body: Buffer): void {
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': body.length });
    this.slowOpen = true;
    const state = { res, sent: 0, timer: setInterval(() => { res.write(body.subarray(state.sent, state.sent + 1)); state.sent++; }, 1000) };
    this.slow = state;
    res.on('close', () => {
      clearInterval(state.timer);
      this.slowOpen = false;
      if (!res.writableFinished) this.slowClosedByClient = true;
    });
  }

  /** The slow response sends the rest of its body now. */
  finishSlow(): void {
    const s = this.slow;
    if (!s) return;
    clearInterval(s.timer);
    s.res.end(this.files.get('/image.png')!.subarray(s.sent));
  }

  async close(): Promise<void> {
    if (this.slow) clearInterval(this.slow.timer);
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

describe('the input stage runs outside the engine slot', () => {
  let media: string;
  let imageB64: string;
  let videoB64: string;
  let inputs: InputServer;
  let svc: Service | undefined;

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-inputs-'));
    const png = await readFile(await makePng(media));
    const mp4 = await readFile(await makeMp4(media, { seconds: 3 }));
    imageB64 = png.toString('base64');
    videoB64 = mp4.toString('base64');
    inputs = new InputServer(new Map([['/image.png', png], ['/video.mp4', mp4]]));
    await inputs.start();
  });
  afterAll(async () => {
    await svc?.close();
    await inputs.close();
    await rm(media, { recursive: true, force: true });
  });

  async function create(s: Service, body: Record<string, unknown>): Promise<string> {
    const r = await s.app.inject({ method: 'POST', url: ENDPOINT, headers: { authorization: s.apiKey },
      payload: { character_orientation: 'video', ...body } });
    expect(r.statusCode).toBe(200);
    return (r.json() as { task_id: string }).task_id;
  }

  it('a task with base64 inputs finishes while a 1 byte/s input is still being fetched; the fetched input is then stored', async () => {
    // One engine slot (WORKERS=1), three claimed jobs (the default: WORKERS + 2).
    svc = await startService({ engine: new FfmpegEngineDouble(), env: { MARIONETTE_ALLOW_HOSTS: '127.0.0.1', MARIONETTE_FETCH_TIMEOUT_MS: '600000' } });
    expect(svc.config.workers).toBe(1);
    expect(svc.config.claimedJobs).toBe(3);
    const slow = await create(svc, { image: `${inputs.origin}/slow.png`, video: videoB64 });
    while (!inputs.slowOpen) await new Promise((r) => setTimeout(r, 50));
    const fast = await create(svc, { image: imageB64, video: videoB64 });
    const done = (await pollUntilEnded(svc, fast)).pop()!;
    expect(done.task.status).toBe('TASK_STATUS_SUCCEED');
    // The slow fetch is still going: it never held the engine.
    expect(inputs.slowOpen).toBe(true);
    expect((await svc.backend.tasks.getTaskStatus(slow))!.status).toBe('PROCESSING');

    inputs.finishSlow();
    const slowDone = (await pollUntilEnded(svc, slow)).pop()!;
    expect(slowDone.task.status).toBe('TASK_STATUS_SUCCEED');
    // The fetched image is an object now, named by the task (as a base64 one would be).
    const record = (await svc.backend.tasks.getTask(slow))!;
    expect(record.image).toEqual({ kind: 'object', key: inputKeyFor(slow, 'image', 'png') });
    expect((await svc.storage.stat(inputKeyFor(slow, 'image', 'png')))?.size).toBe(Buffer.from(imageB64, 'base64').length);
    await svc.close();
    svc = undefined;
  });

  it('a shutdown hands back at once a job still fetching its inputs (attempt not counted)', async () => {
    svc = await startService({ engine: new FfmpegEngineDouble(), env: { MARIONETTE_ALLOW_HOSTS: '127.0.0.1', MARIONETTE_FETCH_TIMEOUT_MS: '600000' } });
    inputs.slowClosedByClient = false;
    const slow = await create(svc, { image: `${inputs.origin}/slow.png`, video: videoB64 });
    while (!inputs.slowOpen) await new Promise((r) => setTimeout(r, 50));
    // A grace far longer than the test: stop() returning while the trickle has most of its bytes to go shows the job was not waited for.
    await svc.worker!.stop(3_600_000);
    expect(svc.worker!.activeCount).toBe(0);
    while (inputs.slowOpen) await new Promise((r) => setTimeout(r, 50));
    expect(inputs.slowClosedByClient).toBe(true);
    const again = await svc.backend.queue.claim(Date.now(), 10_000, 3);
    expect(again?.taskId).toBe(slow);
    expect(again?.attempt).toBe(1);
    await svc.close();
    svc = undefined;
  });
});

/** Crashes (as a killed engine process does) on its first call; then the ffmpeg double. */
class CrashOnceEngine implements MotionEngine {
  readonly requests: AnimateRequest[] = [];
  private readonly real = new FfmpegEngineDouble();
  ready(): Promise<void> { return Promise.resolve(); }
  close(): Promise<void> { return Promise.resolve(); }
  async animate(req: AnimateRequest, onProgress: (p: EngineProgress) => void, signal?: AbortSignal): Promise<AnimateResult> {
    this.requests.push(req);
    if (this.requests.length === 1) throw new EngineCrashedError(null, 'SIGKILL', false);
    return this.real.animate(req, onProgress, signal);
  }
}

describe.each([
  { name: 'local disk', s3: false },
  { name: 's3 (s3rver)', s3: true },
])('fetched inputs live in object storage ($name)', ({ s3: useS3 }) => {
  let dir: string;
  let inputs: InputServer;
  let png: Buffer;
  let s3: RunningS3 | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-fetched-'));
    png = await readFile(await makePng(dir));
    inputs = new InputServer(new Map([['/image.png', png], ['/video.mp4', await readFile(await makeMp4(dir, { seconds: 3 }))]]));
    await inputs.start();
  });
  afterAll(async () => {
    await inputs.close();
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a second attempt reads the fetched inputs from storage and fetches nothing', async () => {
    const dataDir = path.join(dir, 'data');
    const { config } = await resolveSecrets(loadConfig({ MARIONETTE_DATA_DIR: dataDir, MARIONETTE_LOG_LEVEL: 'silent', MARIONETTE_ALLOW_HOSTS: '127.0.0.1' }));
    let storage: ObjectStorage;
    if (useS3) {
      s3 = await startS3();
      storage = new S3Storage({ endpoint: s3.url, bucket: s3.bucket, region: 'us-east-1', accessKeyId: s3.accessKeyId,
        secretAccessKey: s3.secretAccessKey, forcePathStyle: true, publicEndpoint: undefined });
    } else {
      storage = new LocalDiskStorage(path.join(dataDir, 'results'));
    }
    const backend = openSqliteBackend(databasePath(dataDir));
    const engine = new CrashOnceEngine();
    const worker = new TaskWorker({ config, tasks: backend.tasks, queue: backend.queue, storage, engine, logger: createLogger('silent'), pollIntervalMs: 50 });
    try {
      await backend.tasks.createTask({ id: 'fetchedinputs00000000a', owner: 'o', orientation: 'video', keepOriginalSound: false, prompt: '', negativePrompt: '',
        webhookUrl: null, image: { kind: 'url', url: `${inputs.origin}/image.png` }, video: { kind: 'url', url: `${inputs.origin}/video.mp4` }, submitMs: Date.now() });
      worker.start();
      let task = await backend.tasks.getTask('fetchedinputs00000000a');
      while (task && task.status !== 'SUCCEED' && task.status !== 'FAILED') {
        await new Promise((r) => setTimeout(r, 100));
        task = await backend.tasks.getTask('fetchedinputs00000000a');
      }
      expect(task?.reason).toBe('');
      expect(task?.status).toBe('SUCCEED');
      expect(engine.requests).toHaveLength(2);
      // Fetched once, by the first attempt; the second read the objects.
      expect(inputs.requests.get('/image.png')).toBe(1);
      expect(inputs.requests.get('/video.mp4')).toBe(1);
      expect(task?.image).toEqual({ kind: 'object', key: inputKeyFor('fetchedinputs00000000a', 'image', 'png') });
      expect(task?.video).toEqual({ kind: 'object', key: inputKeyFor('fetchedinputs00000000a', 'video', 'mp4') });
      // What the second attempt's engine read is the bytes served.
      const copy = path.join(dir, 'copy.png');
      await storage.downloadTo(inputKeyFor('fetchedinputs00000000a', 'image', 'png'), copy);
      expect((await readFile(copy)).equals(png)).toBe(true);
      await writeFile(copy, '');
    } finally {
      await worker.stop(1000);
      backend.close();
      if (storage instanceof S3Storage) storage.close();
    }
  });
});
