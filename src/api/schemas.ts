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
  }),
  images: Empty,
  videos: Type.Array(Type.Object({ video_url: Type.String(), video_url_ttl: Type.String(), video_type: Type.String() })),
  audios: Empty,
});

export const FileParams = Type.Object({ key: Type.String() });
export const FileQuery = Type.Object({ expires: Type.Optional(Type.String()), sig: Type.Optional(Type.String()) });
