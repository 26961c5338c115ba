/**
 * A worker process for the fault script: the real TaskWorker and the real child-process engine, whose child is
 * bench/fault-engine-child.ts instead of the CPU pipeline (so a task takes seconds, not a model load).
 * Configured by the MARIONETTE_* environment like `marionette worker`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.js';
import { createLogger } from '../src/config/logger.js';
import { resolveSecrets } from '../src/config/secrets.js';
import { createCpuEngine } from '../src/engine/index.js';
import { LocalDiskStorage } from '../src/storage/local/local-disk.js';
import { resultsDir } from '../src/tasks/paths.js';
import { databasePath, openSqliteBackend } from '../src/tasks/sqlite/index.js';
import { TaskWorker } from '../src/tasks/worker.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { config } = await resolveSecrets(loadConfig(process.env));
const log = createLogger(config.logLevel).child({ role: 'fault-worker' });
const backend = openSqliteBackend(databasePath(config.dataDir));
const engine = createCpuEngine({ threads: 1, childPath: path.join(here, 'fault-engine-child.ts') });
const worker = new TaskWorker({
  config, tasks: backend.tasks, queue: backend.queue, queries: backend.queries, storage: new LocalDiskStorage(resultsDir(config.dataDir)),
  engine, logger: log, pollIntervalMs: 100,
});
worker.start();
process.stderr.write('fault-worker ready\n');
process.once('SIGTERM', () => { void worker.stop(2000).then(() => { backend.close(); process.exit(0); }); });
