/**
 * Run as a separate process by the BullMQ takeover test: a worker that claims one job, marks its task
 * PROCESSING with the lock token, reports the lease on stdout and keeps heartbeating until it is killed.
 * usage: node --import tsx bullmq-claim-child.ts <database url> <redis url> <prefix> <lease ms> <stalled interval ms>
 */
import { openBullmqBackend } from '../../src/tasks/bullmq/index.js';

const [databaseUrl, redisUrl, prefix, leaseMs, stalledIntervalMs] = process.argv.slice(2);
const backend = await openBullmqBackend({ databaseUrl, redisUrl, prefix, autoMigrate: false, commandTimeoutMs: 5000,
  stalledIntervalMs: Number(stalledIntervalMs), retryBackoffMs: 0, poolSize: 2 });
let lease = null;
while (!lease) {
  lease = await backend.queue.claim(Date.now(), Number(leaseMs), 3);
  if (!lease) await new Promise((r) => setTimeout(r, 50));
}
await backend.tasks.markProcessing(lease.taskId, Date.now(), lease.token);
process.stdout.write(`${JSON.stringify(lease)}\n`);
const held = lease;
setInterval(() => { void backend.queue.heartbeat(held, Date.now(), Number(leaseMs)); }, Math.floor(Number(leaseMs) / 3));
