/** Starts the real service (SQLite file in a temp dir, real HTTP, real worker with an engine double) for tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type AppDeps } from '../../src/api/app.js';
import { createStoredKey } from '../../src/api/auth.js';
import { loadConfig, type ReadyConfig } from '../../src/config/config.js';
import { createLogger } from '../../src/config/logger.js';
import { resolveSecrets } from '../../src/config/secrets.js';
import type { MotionEngine } from '../../src/engine/types.js';
import { LocalDiskStorage } from '../../src/storage/local/local-disk.js';
import { resultsDir } from '../../src/tasks/paths.js';
import { databasePath, openSqliteBackend, type SqliteBackend } from '../../src/tasks/sqlite/index.js';
import { WebhookDispatcher } from '../../src/tasks/webhook-dispatcher.js';
import { TaskWorker } from '../../src/tasks/worker.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface Service {
  dir: string;
  config: ReadyConfig;
  backend: SqliteBackend;
  storage: LocalDiskStorage;
  app: FastifyInstance;
  worker: TaskWorker | null;
  dispatcher: WebhookDispatcher | null;
  baseUrl: string;
  apiKey: string;
  /** Stops everything; removes the temp dir unless keepDir. */
  close(opts?: { keepDir?: boolean }): Promise<void>;
}

export interface ServiceOptions {
  env?: Record<string, string>;
  engine?: MotionEngine;
  /** Reuse a data dir (restart). */
  dir?: string;
  webhookBaseDelayMs?: number;
  /** A key stored in a previous run on the same dir. */
  apiKey?: string;
  /** App options a test sets (the event streams' heartbeat, their set). */
  app?: Pick<AppDeps, 'eventsHeartbeatMs' | 'eventStreams' | 'base64Decoder'>;
}

export async function startService(o: ServiceOptions = {}): Promise<Service> {
  const dir = o.dir ?? await mkdtemp(path.join(os.tmpdir(), 'marionette-svc-'));
  const port = await freePort();
  const base = loadConfig({
    MARIONETTE_DATA_DIR: dir, MARIONETTE_PORT: String(port), MARIONETTE_HOST: '127.0.0.1', MARIONETTE_LOG_LEVEL: 'silent', ...o.env,
  });
  const { config } = await resolveSecrets(base);
  const logger = createLogger(config.logLevel);
  const backend = openSqliteBackend(databasePath(dir));
  const storage = new LocalDiskStorage(resultsDir(dir));
  const apiKey = o.apiKey ?? (await createStoredKey(backend.keys, 'test', Date.now())).key;
  const worker = o.engine
    ? new TaskWorker({ config, tasks: backend.tasks, queue: backend.queue, queries: backend.queries, storage, engine: o.engine, logger, pollIntervalMs: 50, progressIntervalMs: 100 })
    : null;
  const dispatcher = o.engine
    ? new WebhookDispatcher({ config, outbox: backend.outbox, tasks: backend.tasks, storage, logger, baseDelayMs: o.webhookBaseDelayMs ?? 200, pollIntervalMs: 50 })
    : null;
  const app = await buildApp({ config, store: backend, storage, logger, onTaskCreated: () => worker?.notify(), onTaskCanceled: (id) => worker?.cancel(id), ...o.app });
  await app.listen({ port, host: '127.0.0.1' });
  worker?.start();
  dispatcher?.start();
  return {
    dir, config, backend, storage, app, worker, dispatcher, apiKey, baseUrl: `http://127.0.0.1:${port}`,
    async close(opts) {
      await app.close();
      await worker?.stop(1000);
      await dispatcher?.stop();
      backend.close();
      if (!opts?.keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface TaskResult {
  task: { task_id: string; task_type: string; status: string; reason: string; eta: number; progress_percent: number };
  extra: { debug_info: Record<string, string>; queue_position?: number };
  images: unknown[];
  videos: { video_url: string; video_url_ttl: string; video_type: string }[];
  audios: unknown[];
}

/** Polls task-result until the task ends; returns every body seen (to check monotonic progress). */
export async function pollUntilEnded(svc: Service, taskId: string, key = svc.apiKey, timeoutMs = 60_000): Promise<TaskResult[]> {
  const seen: TaskResult[] = [];
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const res = await fetch(`${svc.baseUrl}/v3/async/task-result?task_id=${encodeURIComponent(taskId)}`, { headers: { Authorization: `Bearer ${key}` } });
    if (res.status !== 200) throw new Error(`task-result answered ${res.status}: ${await res.text()}`);
    const body = await res.json() as TaskResult;
    seen.push(body);
    if (body.task.status === 'TASK_STATUS_SUCCEED' || body.task.status === 'TASK_STATUS_FAILED') return seen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${taskId} did not end within ${timeoutMs} ms`);
}
