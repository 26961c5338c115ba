/**
 * The Fastify app (no listen here): contract routes under /v3 with API-key auth, health and readiness,
 * signed result downloads, the playground at `/`, and one error handler.
 */
import os from 'node:os';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ReadyConfig } from '../config/config.js';
import type { Logger } from '../config/logger.js';
import { checkBinary } from '../config/preflight.js';
import { WorkerBase64Decoder, type Base64Decoder } from '../media/base64-decoder.js';
import type { ObjectStorage } from '../storage/object-storage.js';
import { resultUrlSigner } from '../storage/result-url.js';
import type { TaskQueries } from '../tasks/queries.js';
import type { ApiKeyStore, TaskStore } from '../tasks/types.js';
import { ApiKeyAuth } from './auth.js';
import { registerCreateRoute } from './create-route.js';
import { AppError } from '../domain/errors.js';
import { installErrorHandling } from './error-handler.js';
import { registerFilesRoute } from './files-route.js';
import { registerJobRoutes } from './job-routes.js';
import { RateLimiter } from './limits.js';
import { registerPlayground } from './playground.js';
import { ErrorReply, TaskResultQuery, TaskResultReply } from './schemas.js';
import { TaskViews } from './task-views.js';
import { collectRoutes, openApiDocument } from './openapi.js';
import { renderReferencePage } from './reference-page.js';
import { Type } from '@sinclair/typebox';

/** The service's version in the OpenAPI document. */
const SERVICE_VERSION = '0.1.0';

export interface ServiceStore {
  tasks: TaskStore;
  queries: TaskQueries;
  keys: ApiKeyStore;
  ping(): boolean | Promise<boolean>;
}

export interface AppDeps {
  config: ReadyConfig;
  store: ServiceStore;
  storage: ObjectStorage;
  /** Resolves when the engine (and its models) can take work; only where an engine runs in-process. */
  engineReady?: () => Promise<void>;
  /** Wakes an in-process worker after a task was queued. */
  onTaskCreated?: () => void;
  /** Stops a task an in-process worker is running. */
  onTaskCanceled?: (taskId: string) => void;
  logger?: Logger;
  now?: () => number;
  /** A comment line this often keeps a quiet event stream open through proxies (15 s; tests make it shorter). */
  eventsHeartbeatMs?: number;
  /** The open event streams (each entry ends one); tests pass their own to watch them close. */
  eventStreams?: Set<() => void>;
  /** Decodes base64 inputs off the event loop (worker threads by default; the caller closes one it passes). */
  base64Decoder?: Base64Decoder;
}

const FFMPEG_CHECK_CACHE_MS = 30_000;

declare module 'fastify' {
  interface FastifyRequest { owner: string }
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, store, storage } = deps;
  const now = deps.now ?? Date.now;
  const bodyLimit = config.bodyLimitMb * 1024 * 1024;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit,
    // A body must arrive within requestTimeout (slow or stalled uploads hold memory); idle sockets close after connectionTimeout.
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    // One debug line per request comes from the onResponse hook below instead.
    logController: new LogController({ disableRequestLogging: true }),
    // A wrong type must be an error, not silently coerced ("123" for 123, "true" for true).
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    return503OnClosing: true,
  }).withTypeProvider<TypeBoxTypeProvider>();

  installErrorHandling(app, bodyLimit);
  // Before any route: the OpenAPI document is made from what is registered.
  const routes = collectRoutes(app, (url) => url.startsWith('/v3/'));
  // The API speaks JSON only: a text/plain body is refused as the wrong Content-Type, not parsed as a string.
  app.removeContentTypeParser('text/plain');
  // Fastify closes idle keep-alive sockets once, at close; a response still finishing at that moment would
  // leave its socket open for the 72 s keep-alive. So once closing, each finished response ends its socket.
  let closing = false;
  const bodyTimers = new WeakMap<object, NodeJS.Timeout>();
  const streams = deps.eventStreams ?? new Set<() => void>();
  // As many decoding threads as creates decode at once, at most one per core.
  const decoder = deps.base64Decoder ?? new WorkerBase64Decoder(Math.min(config.maxConcurrentCreates, os.availableParallelism()));
  if (!deps.base64Decoder) app.addHook('onClose', async () => { await decoder.close(); });
  app.addHook('preClose', (done) => {
    closing = true;
    // Event streams would hold the server open until their tasks end.
    for (const stop of [...streams]) stop();
    done();
  });
  // Node checks requestTimeout only every 30 s; a body still arriving after requestTimeoutMs has its socket closed
  // here, on time, so slow or stalled uploads cannot pile up holding memory.
  app.addHook('onRequest', (request, _reply, done) => {
    const socket = request.raw.socket;
    const timer = setTimeout(() => { request.log.info({ url: request.url }, 'request body too slow: connection closed'); socket.destroy(); }, config.requestTimeoutMs);
    timer.unref();
    bodyTimers.set(request.raw, timer);
    done();
  });
  app.addHook('preValidation', (request, _reply, done) => { clearTimeout(bodyTimers.get(request.raw)); done(); });
  app.addHook('onResponse', (request, _reply, done) => { clearTimeout(bodyTimers.get(request.raw)); done(); });
  const debugLog = deps.logger !== undefined && (deps.logger.level === 'debug' || deps.logger.level === 'trace');
  app.addHook('onResponse', (request, reply, done) => {
    if (closing) request.raw.socket?.end();
    if (debugLog) {
      request.log.debug({ method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    }
    done();
  });

  const auth = new ApiKeyAuth(store.keys, config.apiKeys);
  const videoUrl = resultUrlSigner(storage, config, now);
  const views = new TaskViews(store.queries, videoUrl, config.videoUrlTtlS, config.workers, now);
  const limiter = new RateLimiter(config.rateLimitPerMinute, now);

  await app.register(async (v3) => {
    v3.decorateRequest('owner', '');
    // Callback style: a cached key is accepted without a promise (the task-result path is hot).
    v3.addHook('onRequest', (request, _reply, done) => {
      const header = request.headers.authorization;
      const admit = (owner: string) => {
        request.owner = owner;
        try { limiter.take(owner); } catch (err) { done(err as Error); return; }
        done();
      };
      const cached = auth.cachedOwner(header);
      if (cached !== undefined) { admit(cached); return; }
      auth.authenticate(header).then(admit, (err: Error) => done(err));
    });

    registerCreateRoute(v3, { config, tasks: store.tasks, queries: store.queries, storage, decoder, now, onTaskCreated: deps.onTaskCreated });
    registerJobRoutes(v3, { tasks: store.tasks, queries: store.queries, views, now, onTaskCanceled: deps.onTaskCanceled, streams,
      heartbeatMs: deps.eventsHeartbeatMs });

    v3.withTypeProvider<TypeBoxTypeProvider>().get('/v3/async/task-result',
      { schema: { summary: 'Get a task\'s status and result', querystring: TaskResultQuery, response: { 200: TaskResultReply, 400: ErrorReply, 403: ErrorReply, 404: ErrorReply, 429: ErrorReply, 500: ErrorReply } } },
      async (request) => {
        const task = await store.tasks.getTaskStatus(request.query.task_id);
        // Another key's task is reported exactly like a missing one.
        if (!task || task.owner !== request.owner) throw new AppError('TASK_NOT_FOUND', 'task not found', { field: 'task_id' });
        return views.body(task);
      });
  });

  app.get('/healthz', { schema: { summary: 'Liveness: 200 while the process runs', response: { 200: Type.Object({ status: Type.Literal('ok') }) } } },
    async () => ({ status: 'ok' as const }));

  let ffmpegChecked: { at: number; ok: boolean; detail: string } | null = null;
  const readyBody = { description: 'ready, or not ready naming what failed', content: { 'application/json': { schema: { type: 'object', properties: {
    status: { type: 'string', enum: ['ready', 'not ready'] }, failed: { type: 'array', items: { type: 'string' } }, checks: { type: 'object' } } } } } };
  app.get('/readyz', { schema: { summary: 'Readiness: database, storage, ffmpeg and (in serve) the engine', response: { 200: readyBody, 503: readyBody } } }, async (_request, reply) => {
    const checks: Record<string, { ok: boolean; detail?: string }> = {};
    const attempt = async (name: string, fn: () => Promise<void>) => {
      try { await fn(); checks[name] = { ok: true }; } catch (err) { checks[name] = { ok: false, detail: (err as Error).message }; }
    };
    await Promise.all([
      attempt('store', async () => { if (!(await store.ping())) throw new Error('store did not answer'); }),
      attempt('storage', () => storage.check()),
      attempt('ffmpeg', async () => {
        if (!ffmpegChecked || now() - ffmpegChecked.at > FFMPEG_CHECK_CACHE_MS) {
          const [a, b] = await Promise.all([checkBinary('ffmpeg'), checkBinary('ffprobe')]);
          ffmpegChecked = { at: now(), ok: a.ok && b.ok, detail: a.ok ? b.detail : a.detail };
        }
        if (!ffmpegChecked.ok) throw new Error(ffmpegChecked.detail);
      }),
      ...(deps.engineReady ? [attempt('engine', deps.engineReady)] : []),
    ]);
    const failed = Object.entries(checks).filter(([, c]) => !c.ok).map(([n]) => n);
    return reply.code(failed.length === 0 ? 200 : 503).send({ status: failed.length === 0 ? 'ready' : 'not ready', failed, checks });
  });

  registerFilesRoute(app, storage, config.urlSigningSecret, now);
  await registerPlayground(app);

  let document: Record<string, unknown> | null = null;
  const openApi = () => (document ??= openApiDocument(routes, {
    title: 'Marionette', version: SERVICE_VERSION, serverUrl: config.publicUrl,
    description: 'Motion control: a character picture performs the motion of a person in a video. Speaks the Kling V2.6 Pro Motion Control API '
      + '(create, task-result); the routes marked (ours) are additions. Errors answer {code, reason, message, metadata}.',
  }));
  // Doc-only (the body is sent as text, not serialised by this schema).
  const documentSchema: Record<string, unknown> = {
    summary: 'This document (OpenAPI 3.1)', response: { 200: { description: 'OpenAPI 3.1 JSON', content: { 'application/json': { schema: { type: 'object' } } } } },
  };
  app.get('/openapi.json', { schema: documentSchema },
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(openApiText ??= JSON.stringify(openApi())));
  let openApiText: string | null = null;
  let reference: string | null = null;
  app.get('/docs', { schema: { summary: 'The API reference page, rendered from /openapi.json', response: { 200: { description: 'HTML', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    async (_request, reply) => reply.type('text/html; charset=utf-8').header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
      .send(reference ??= renderReferencePage(openApi())));
  return app;
}
