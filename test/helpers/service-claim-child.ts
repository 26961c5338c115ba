/**
 * Run as a separate process by the durability test: claims one job like a worker would, reports it on
 * stdout, then sits there (no heartbeat) until it is killed.
 * usage: node --import tsx service-claim-child.ts <db file> <lease ms> <max attempts>
 */
import { openSqliteBackend } from '../../src/tasks/sqlite/index.js';

const [file, leaseMs, maxAttempts] = process.argv.slice(2);
const backend = openSqliteBackend(file);
const lease = await backend.queue.claim(Date.now(), Number(leaseMs), Number(maxAttempts));
if (lease) await backend.tasks.markProcessing(lease.taskId, Date.now(), lease.token);
process.stdout.write(`${JSON.stringify(lease)}\n`);
setInterval(() => {}, 60_000);
