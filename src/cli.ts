/**
 * `marionette serve | api | worker | migrate | queue | keys create [--label x] | animate …`
 * serve = API + worker in one process (the engine does its CPU work in child processes, off the event loop).
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from './api/app.js';
import { createStoredKey } from './api/auth.js';
import { ConfigError, loadConfig, type ReadyConfig } from './config/config.js';
import { createLogger, type Logger } from './config/logger.js';
import { runPreflight } from './config/preflight.js';
import { resolveSecrets } from './config/secrets.js';
import type { MotionEngine } from './engine/types.js';
import { backendProblems, backendWarnings, chooseBackends } from './config/backends.js';
import type { ObjectStorage } from './storage/object-storage.js';
import { openStorage } from './storage/open-storage.js';
import { openTaskBackend, type TaskBackend } from './tasks/backend.js';
import { startRetention } from './tasks/retention.js';
import { WebhookDispatcher } from './tasks/webhook-dispatcher.js';
import { TaskWorker } from './tasks/worker.js';

const USAGE = `usage: marionette <command>
  serve                 HTTP API and task worker in one process
  api                   HTTP API only (tasks are run by separate \`worker\` processes; docs/SCALE-OUT.md)
  worker                task worker only
  migrate               apply pending Postgres migrations (MARIONETTE_DATABASE_URL) and exit
  queue                 print task and job counts by state (JSON) and exit
  keys create [--label x]  create an API key (printed once)
  animate …             run the engine on local files (marionette animate --help)`;

export const FIRST_KEY_FILE = 'first-api-key.txt';
/** The last webhook deliveries at shutdown get this long (one delivery times out after 5 s). */
const WEBHOOK_FLUSH_MS = 6_000;

interface Runtime { config: ReadyConfig; log: Logger; backend: TaskBackend; storage: ObjectStorage & { close?: () => void } }

/** Loads the config and refuses combinations that make no sense, saying why (docs/SCALE-OUT.md). */
function loadCheckedConfig(): ReturnType<typeof loadConfig> {
  const config = loadConfig(process.env);
  const problems = backendProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

async function openRuntime(role: 'serve' | 'api' | 'worker'): Promise<Runtime> {
  const base = loadCheckedConfig();
  // Inputs, results, the database and secrets are the service user's alone: files 0600, dirs 0700.
  process.umask(0o077);
  await mkdir(base.dataDir, { recursive: true, mode: 0o700 });
  await chmod(base.dataDir, 0o700);
  const log = createLogger(base.logLevel).child({ role });
  for (const w of backendWarnings(base, role)) log.warn(w);
  log.info(chooseBackends(base), 'backends');
  const { config, generated } = await resolveSecrets(base);
  for (const file of generated) log.info({ file }, 'generated a secret and stored it in the data dir');
  const checks = await runPreflight(config, role !== 'api');
  const failed = checks.filter((c) => !c.ok);
  for (const c of checks) (c.ok ? log.info : log.error)({ check: c.name, detail: c.detail }, c.ok ? 'preflight ok' : 'preflight failed');
  if (failed.length > 0) throw new Error(`preflight failed: ${failed.map((c) => c.detail).join('; ')}`);
  const backend = await openTaskBackend(config, (err, what) => log.warn({ err }, what));
  const storage = openStorage(config);
  await ensureSomeKey(config, backend, log);
  return { config, log, backend, storage };
}

/** With no key anywhere the API would refuse everyone: make one, show it once, keep it in a 0600 file. */
async function ensureSomeKey(config: ReadyConfig, backend: TaskBackend, log: Logger): Promise<void> {
  if (config.apiKeys.length > 0 || (await backend.keys.countKeys()) > 0) return;
  const { key } = await createStoredKey(backend.keys, 'first key', Date.now());
  const file = path.join(config.dataDir, FIRST_KEY_FILE);
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  log.warn({ file, apiKey: key }, 'no API key existed: created one (shown only this once; also written to the file)');
}

async function createEngine(config: ReadyConfig, log: Logger): Promise<MotionEngine> {
  const { createCpuEngine } = await import('./engine/index.js');
  const engine = createCpuEngine({ threads: config.engineThreads, childPath: config.engineChild, onLog: (line) => log.error({ detail: line }, 'engine log') });
  await engine.ready();
  return engine;
}

function onShutdown(log: Logger, graceMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) { log.warn({ signal }, 'second signal: exiting now'); process.exit(1); }
    stopping = true;
    log.info({ signal, graceMs }, 'shutting down');
    stop().then(() => { log.info('stopped'); process.exitCode = 0; }, (err: unknown) => { log.error({ err }, 'shutdown failed'); process.exitCode = 1; });
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}

async function runServer(role: 'serve' | 'api' | 'worker'): Promise<void> {
  const rt = await openRuntime(role);
  const { config, log, backend, storage } = rt;
  let worker: TaskWorker | null = null;
  let dispatcher: WebhookDispatcher | null = null;
  let stopRetention: (() => void) | null = null;
  let engine: MotionEngine | null = null;
  if (role !== 'api') {
    engine = await createEngine(config, log);
    worker = new TaskWorker({ config, tasks: backend.tasks, queue: backend.queue, queries: backend.queries, storage, engine, logger: log.child({ part: 'worker' }) });
    dispatcher = new WebhookDispatcher({ config, outbox: backend.outbox, tasks: backend.tasks, storage, logger: log.child({ part: 'webhook' }) });
    stopRetention = startRetention({ tasks: backend.tasks, storage, dataDir: config.dataDir, resultTtlS: config.resultTtlS, logger: log.child({ part: 'retention' }),
      queries: backend.queries, taskRetentionS: config.taskRetentionS });
    worker.start();
    dispatcher.start();
    log.info({ workers: config.workers, engineThreads: config.engineThreads }, 'worker started');
  }
  const app = role === 'worker' ? null : await buildApp({
    config, store: backend, storage, logger: log.child({ part: 'api' }),
    engineReady: engine ? () => engine.ready() : undefined,
    onTaskCreated: worker ? () => worker.notify() : undefined,
    onTaskCanceled: worker ? (id) => worker.cancel(id) : undefined,
  });
  if (app) {
    await app.listen({ port: config.port, host: config.host });
    log.info({ url: `http://${config.host}:${config.port}`, publicUrl: config.publicUrl }, 'listening');
  }
  onShutdown(log, config.shutdownGraceMs, async () => {
    await app?.close();
    await worker?.stop(config.shutdownGraceMs);
    // Tasks that ended during the grace period have their webhooks sent before exit.
    await dispatcher?.flush(WEBHOOK_FLUSH_MS);
    stopRetention?.();
    await engine?.close();
    await backend.close();
    storage.close?.();
  });
}

async function runMigrate(): Promise<number> {
  const config = loadConfig(process.env);
  if (!config.databaseUrl) {
    process.stderr.write('MARIONETTE_DATABASE_URL is not set: the SQLite database migrates itself when it opens; nothing to do\n');
    return 0;
  }
  const { migratePostgres, openPool } = await import('./tasks/postgres/db.js');
  const pool = openPool(config.databaseUrl, 1);
  try {
    const applied = await migratePostgres(pool);
    process.stdout.write(applied.length > 0 ? `applied migrations ${applied.join(', ')}\n` : 'the schema is current\n');
  } finally {
    await pool.end();
  }
  return 0;
}

async function runQueue(): Promise<number> {
  const config = loadConfig(process.env);
  const backend = await openTaskBackend(config);
  try {
    // Task states from the store; job states from wherever the jobs are (BullMQ: Redis).
    process.stdout.write(`${JSON.stringify({ backends: chooseBackends(config), ...(await backend.counts(Date.now())) }, null, 2)}\n`);
  } finally {
    await backend.close();
  }
  return 0;
}

async function runKeys(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { label: { type: 'string', default: '' } }, allowPositionals: true });
  if (positionals[0] !== 'create') { process.stderr.write('usage: marionette keys create [--label <text>]\n'); return 2; }
  const config = loadConfig(process.env);
  const backend = await openTaskBackend(config);
  try {
    const { key, id } = await createStoredKey(backend.keys, values.label ?? '', Date.now());
    process.stderr.write(`created key ${id}${values.label ? ` (${values.label})` : ''}; it is shown only this once:\n`);
    process.stdout.write(`${key}\n`);
  } finally {
    await backend.close();
  }
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': case 'api': case 'worker':
      await runServer(command);
      return 0;
    case 'keys':
      return runKeys(rest);
    case 'migrate':
      return runMigrate();
    case 'queue':
      return runQueue();
    case 'animate': {
      const m = await import('./engine/cli-animate.js');
      return m.runAnimateCommand(rest);
    }
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then((code) => { if (code !== 0) process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `marionette: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
