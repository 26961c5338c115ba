/**
 * Ours, beside the contract's two routes: cancel a task, list the caller's tasks, and follow one task as a
 * Server-Sent Events stream. Registered inside the authenticated /v3 scope.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { AppError } from '../domain/errors.js';
import { isEnded, type TaskStatus } from '../domain/task-status.js';
import { decodeCursor, encodeCursor, type TaskQueries } from '../tasks/queries.js';
import type { TaskStore } from '../tasks/types.js';
import type { TaskViews } from './task-views.js';
import {
  CancelTaskBody, ErrorReply, ListTasksQuery, ListTasksReply, MAX_LIST_LIMIT, TaskEventsQuery, TaskResultReply,
} from './schemas.js';

export const CANCELED_REASON = new AppError('TASK_CANCELED', 'cancelled by the client').toTaskReason();
/** The event stream is read at most this often (so at most 4 events a second). */
export const EVENTS_POLL_MS = 250;
/** A comment line this often keeps proxies from closing a quiet stream. */
export const EVENTS_HEARTBEAT_MS = 15_000;
/** A stream ends after this long even if the task has not (the client reconnects). */
export const EVENTS_MAX_MS = 3600_000;
const DEFAULT_LIST_LIMIT = 20;

export interface JobRouteDeps {
  tasks: TaskStore;
  queries: TaskQueries;
  views: TaskViews;
  now: () => number;
  /** Stops a task running in this process at once (other processes notice within their poll). */
  onTaskCanceled?: (taskId: string) => void;
  /** Open event streams, ended when the app closes. */
  streams: Set<() => void>;
  heartbeatMs?: number;
}

function notFound(): AppError {
  return new AppError('TASK_NOT_FOUND', 'task not found', { field: 'task_id' });
}

const errors = { 400: ErrorReply, 403: ErrorReply, 404: ErrorReply, 429: ErrorReply, 500: ErrorReply };

export function registerJobRoutes(v3: FastifyInstance, d: JobRouteDeps): void {
  const app = v3.withTypeProvider<TypeBoxTypeProvider>();

  app.post('/v3/async/task-cancel', {
    schema: { summary: 'Cancel a task (ours)', body: CancelTaskBody, response: { 200: TaskResultReply, ...errors } },
  }, async (request) => {
    const id = request.body.task_id;
    const result = await d.queries.cancelTask(id, request.owner, CANCELED_REASON, d.now());
    if (result === 'not-found') throw notFound();
    const view = await d.tasks.getTaskStatus(id);
    if (!view) throw notFound();
    if (result === 'ended') {
      throw new AppError('TASK_ALREADY_ENDED', `task already ended (${view.status === 'SUCCEED' ? 'succeeded' : 'failed'}); there is nothing to cancel`,
        { field: 'task_id', actual: `TASK_STATUS_${view.status}` });
    }
    d.onTaskCanceled?.(id);
    request.log.info({ taskId: id }, 'task cancelled');
    return d.views.body(view);
  });

  app.get('/v3/async/tasks', {
    schema: { summary: "List the caller's tasks, newest first (ours)", querystring: ListTasksQuery, response: { 200: ListTasksReply, ...errors } },
  }, async (request) => {
    const q = request.query;
    const limit = q.limit === undefined ? DEFAULT_LIST_LIMIT : Number(q.limit);
    if (!(limit >= 1 && limit <= MAX_LIST_LIMIT)) {
      throw new AppError('INVALID_REQUEST_BODY', `limit must be from 1 to ${MAX_LIST_LIMIT}`, { field: 'limit', limit: MAX_LIST_LIMIT, actual: limit });
    }
    const before = q.cursor === undefined || q.cursor === '' ? undefined : decodeCursor(q.cursor);
    if (before === null) throw new AppError('INVALID_REQUEST_BODY', 'cursor is not one this service handed out', { field: 'cursor' });
    const status = q.status === undefined ? undefined : (q.status as string).slice('TASK_STATUS_'.length) as TaskStatus;
    // One more than asked tells whether another page exists.
    const rows = await d.queries.listTasks({ owner: request.owner, status, limit: limit + 1, before });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      tasks: await Promise.all(page.map((t) => d.views.body(t))),
      next_cursor: rows.length > limit && last ? encodeCursor({ submitMs: last.submitMs, id: last.id }) : '',
    };
  });

  app.get('/v3/async/task-events', {
    schema: {
      summary: 'Follow a task as Server-Sent Events (ours)',
      description: 'Each `task` event carries the task-result body, sent on every change of status, progress or ETA (at most 4 a second); '
        + 'the stream ends after the final state. A comment line every 15 s keeps proxies from closing it.',
      querystring: TaskEventsQuery,
      response: { 200: { description: 'text/event-stream of task-result bodies', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...errors },
    },
  }, async (request, reply) => {
    const id = request.query.task_id;
    const first = await d.tasks.getTaskStatus(id);
    if (!first || first.owner !== request.owner) throw notFound();
    streamTask(reply, id, d);
  });
}

/** Writes the stream until the task ends, the client goes away, or the app closes. */
function streamTask(reply: FastifyReply, id: string, d: JobRouteDeps): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive',
    // nginx buffers responses unless told not to
    'x-accel-buffering': 'no',
  });
  res.write('retry: 2000\n\n');
  const started = d.now();
  let last = '';
  let lastWrite = d.now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    d.streams.delete(stop);
    res.end();
  };
  d.streams.add(stop);
  res.on('close', stop);
  const tick = async () => {
    const view = await d.tasks.getTaskStatus(id);
    if (stopped) return;
    if (!view) { stop(); return; }
    const body = await d.views.body(view);
    // The signed URL changes with the clock; what the client follows is status, progress and ETA.
    const key = `${body.task.status}|${body.task.progress_percent}|${body.task.eta}|${body.extra.queue_position ?? ''}`;
    if (key !== last) {
      last = key;
      res.write(`event: task\nid: ${body.task.status}-${body.task.progress_percent}\ndata: ${JSON.stringify(body)}\n\n`);
      lastWrite = d.now();
    } else if (d.now() - lastWrite >= (d.heartbeatMs ?? EVENTS_HEARTBEAT_MS)) {
      res.write(': keep-alive\n\n');
      lastWrite = d.now();
    }
    if (isEnded(view.status) || d.now() - started > EVENTS_MAX_MS) { stop(); return; }
    timer = setTimeout(loop, EVENTS_POLL_MS);
  };
  const loop = () => { tick().catch(() => stop()); };
  loop();
}
