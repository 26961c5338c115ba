/**
 * POST /v3/async/kling-v2.6-pro-motion-control with what a job service adds to it: an Idempotency-Key makes a
 * retried create return the same task for 24 h; a key's queued-or-running tasks are capped; at most a few creates
 * decode and inspect their inputs at once; a webhook URL at a private address is refused now, not after six tries.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ReadyConfig } from '../config/config.js';
import { AppError, isAppError } from '../domain/errors.js';
import { resolveSafeAddress } from '../net/ssrf-guard.js';
import type { Base64Decoder } from '../media/base64-decoder.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import type { TaskQueries } from '../tasks/queries.js';
import type { TaskStore } from '../tasks/types.js';
import { createTask, newTaskId, parseWebhookUrl } from './create-task.js';
import { RateLimitError, Semaphore } from './limits.js';
import { CreateTaskBody, CreateTaskHeaders, CreateTaskReply, ErrorReply } from './schemas.js';

export const IDEMPOTENCY_WINDOW_MS = 24 * 3600_000;
/** How long a create may wait for a decoding slot before it is told to come back. */
const CREATE_WAIT_MS = 30_000;
/** A key over its task cap is told to come back after about this long. */
const ACTIVE_RETRY_AFTER_S = 10;

export interface CreateRouteDeps {
  config: ReadyConfig;
  tasks: TaskStore;
  queries: TaskQueries;
  storage: ObjectStorage;
  /** Base64 inputs are checked and decoded by it, off the event loop. */
  decoder: Base64Decoder;
  now: () => number;
  onTaskCreated?: () => void;
}

/** A webhook must reach a public address (unless its host is allowed): checked once here, and again at each delivery. */
async function checkWebhookAddress(url: string, allowHosts: readonly string[]): Promise<void> {
  try {
    await resolveSafeAddress(new URL(url).hostname, allowHosts, 'extra.webhook.url');
  } catch (err) {
    if (!isAppError(err)) throw err;
    throw new AppError('INVALID_REQUEST_BODY', `${err.message.replace(/^extra\.webhook\.url URL/, 'extra.webhook.url')}; webhooks are only sent to public addresses unless the host is in MARIONETTE_ALLOW_HOSTS`,
      { field: 'extra.webhook.url' });
  }
}

export function registerCreateRoute(v3: FastifyInstance, d: CreateRouteDeps): void {
  const c = d.config;
  const decoding = new Semaphore(c.maxConcurrentCreates, 4 * c.maxConcurrentCreates, CREATE_WAIT_MS);

  v3.withTypeProvider<TypeBoxTypeProvider>().post('/v3/async/kling-v2.6-pro-motion-control', {
    schema: {
      summary: 'Create a motion-control task',
      headers: CreateTaskHeaders, body: CreateTaskBody,
      response: { 200: CreateTaskReply, 400: ErrorReply, 403: ErrorReply, 409: ErrorReply, 429: ErrorReply, 500: ErrorReply },
    },
  }, async (request) => {
    const body = request.body as CreateTaskBody;
    const owner = request.owner;
    const webhookUrl = parseWebhookUrl(body.extra?.webhook?.url);
    if (webhookUrl) await checkWebhookAddress(webhookUrl, c.allowHosts);

    const id = newTaskId();
    const idemKey = request.headers['idempotency-key'];
    if (idemKey !== undefined) {
      const bodyHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const held = await d.queries.reserveIdempotencyKey(owner, idemKey, { taskId: id, bodyHash }, d.now(), d.now() - IDEMPOTENCY_WINDOW_MS);
      if (held) {
        if (held.bodyHash === bodyHash) return { task_id: held.taskId };
        throw new AppError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used in the last 24 h with a different request body; use a new key for a new request',
          { field: 'idempotency-key' });
      }
    }
    try {
      const active = await d.queries.countActive(owner);
      if (active >= c.maxActiveTasksPerKey) {
        throw new RateLimitError(`this API key has ${active} tasks queued or running; at most ${c.maxActiveTasksPerKey} are allowed at once`,
          ACTIVE_RETRY_AFTER_S, { limit: c.maxActiveTasksPerKey, unit: 'tasks queued or running' });
      }
      const release = await decoding.acquire();
      try {
        await createTask(body, owner, { dataDir: c.dataDir, tasks: d.tasks, storage: d.storage, decoder: d.decoder, now: d.now, id });
      } finally {
        release();
      }
    } catch (err) {
      // A refused create does not hold its key: the client may fix the request and send it again.
      if (idemKey !== undefined) await d.queries.releaseIdempotencyKey(owner, idemKey, id);
      throw err;
    }
    request.log.info({ taskId: id }, 'task queued');
    d.onTaskCreated?.();
    return { task_id: id };
  });
}
