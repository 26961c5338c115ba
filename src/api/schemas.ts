/** TypeBox schemas for the wire contract; request types are inferred from them. */
import { Type, type Static } from '@sinclair/typebox';
import { ORIENTATIONS, type CharacterOrientation } from '../domain/orientation.js';

export const MAX_PROMPT_CHARS = 2500;

export const CreateTaskBody = Type.Object({
  image: Type.String(),
  video: Type.String(),
  character_orientation: Type.Unsafe<CharacterOrientation>({ type: 'string', enum: [...ORIENTATIONS] }),
  prompt: Type.Optional(Type.String({ maxLength: MAX_PROMPT_CHARS })),
  negative_prompt: Type.Optional(Type.String({ maxLength: MAX_PROMPT_CHARS })),
  keep_original_sound: Type.Optional(Type.Boolean()),
  extra: Type.Optional(Type.Object({
    webhook: Type.Optional(Type.Object({ url: Type.String() })),
  })),
});
export type CreateTaskBody = Static<typeof CreateTaskBody>;

export const CreateTaskReply = Type.Object({ task_id: Type.String() });

export const TaskResultQuery = Type.Object({ task_id: Type.String({ minLength: 1, maxLength: 200 }) });
export type TaskResultQuery = Static<typeof TaskResultQuery>;

const Empty = Type.Array(Type.Unknown(), { maxItems: 0 });

/** Lets Fastify serialise the hot task-result reply with a compiled stringifier. */
export const TaskResultReply = Type.Object({
  task: Type.Object({
    task_id: Type.String(),
    task_type: Type.String(),
    status: Type.String(),
    reason: Type.String(),
    eta: Type.Integer(),
    progress_percent: Type.Integer(),
  }),
  extra: Type.Object({
    debug_info: Type.Object({
      request_info: Type.String(),
      submit_time_ms: Type.String(),
      execute_time_ms: Type.String(),
      complete_time_ms: Type.String(),
    }),
    // ours: tasks ahead of a QUEUED one
    queue_position: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  images: Empty,
  videos: Type.Array(Type.Object({ video_url: Type.String(), video_url_ttl: Type.String(), video_type: Type.String() })),
  audios: Empty,
});

export const FileParams = Type.Object({ key: Type.String() });
export const FileQuery = Type.Object({ expires: Type.Optional(Type.String()), sig: Type.Optional(Type.String()) });

/** The contract's error body; every 4xx/5xx carries it. */
export const ErrorReply = Type.Object({
  code: Type.Integer(),
  reason: Type.String(),
  message: Type.String(),
  metadata: Type.Optional(Type.Object({
    field: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Union([Type.Number(), Type.String()])),
    actual: Type.Optional(Type.Union([Type.Number(), Type.String()])),
    unit: Type.Optional(Type.String()),
  }, { additionalProperties: true })),
});

export const IDEMPOTENCY_KEY_MAX = 255;
export const CreateTaskHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX })),
});

export const CancelTaskBody = Type.Object({ task_id: Type.String({ minLength: 1, maxLength: 200 }) });
export type CancelTaskBody = Static<typeof CancelTaskBody>;

export const WIRE_STATUSES = ['TASK_STATUS_QUEUED', 'TASK_STATUS_PROCESSING', 'TASK_STATUS_SUCCEED', 'TASK_STATUS_FAILED'] as const;
export const MAX_LIST_LIMIT = 100;
export const ListTasksQuery = Type.Object({
  status: Type.Optional(Type.Unsafe<(typeof WIRE_STATUSES)[number]>({ type: 'string', enum: [...WIRE_STATUSES] })),
  // Query values arrive as strings (no coercion): digits, checked for range by the route.
  limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$', description: `1 to ${MAX_LIST_LIMIT}, default 20` })),
  cursor: Type.Optional(Type.String({ maxLength: 400, description: 'next_cursor of the previous page' })),
});
export type ListTasksQuery = Static<typeof ListTasksQuery>;
export const ListTasksReply = Type.Object({
  tasks: Type.Array(TaskResultReply),
  /** Empty when this is the last page. */
  next_cursor: Type.String(),
});

export const TaskEventsQuery = TaskResultQuery;
