/**
 * The one error catalogue. Every failure the service reports, at the HTTP edge or inside a task,
 * is an AppError carrying one of these reasons; the API's error handler maps it to the contract's
 * body `{code, reason, message, metadata}` and a task failure stores `"<REASON>: <message>"`.
 */
export const ERROR_CATALOGUE = {
  INVALID_REQUEST_BODY: 400,
  IMAGE_FILE_EXCEEDS_MAX_SIZE: 400,
  INVALID_IMAGE_FORMAT: 400,
  INVALID_IMAGE_SIZE: 400,
  IMAGE_EXCEEDS_MAX_RESOLUTION: 400,
  VIDEO_FILE_EXCEEDS_MAX_SIZE: 400,
  INVALID_VIDEO_FORMAT: 400,
  INVALID_VIDEO_SIZE: 400,
  INVALID_VIDEO_DURATION: 400,
  INPUT_FETCH_FAILED: 400,
  IMAGE_NO_PERSON_DETECTED: 400,
  VIDEO_NO_PERSON_DETECTED: 400,
  // ours: cancelling a task that already ended; the reason a cancelled task ends with
  TASK_ALREADY_ENDED: 400,
  TASK_CANCELED: 400,
  INVALID_API_KEY: 403,
  // ours: a result URL whose signature is wrong or whose time is up
  RESULT_URL_INVALID: 403,
  RESULT_URL_EXPIRED: 403,
  API_NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  // ours: an Idempotency-Key sent again with another body
  IDEMPOTENCY_KEY_REUSED: 409,
  // ours: a byte range outside the result file
  RANGE_NOT_SATISFIABLE: 416,
  RATE_LIMIT_EXCEEDED: 429,
  CREATE_TASK_FAILED: 500,
  GET_RESULT_FAILED: 500,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorReason = keyof typeof ERROR_CATALOGUE;

export interface ErrorMetadata {
  /** The request field the error concerns, e.g. "image" or "character_orientation". */
  field?: string;
  /** The limit that was broken, in the unit named by `unit`. */
  limit?: number | string;
  /** The value that was seen. */
  actual?: number | string;
  unit?: string;
  [key: string]: unknown;
}

export class AppError extends Error {
  readonly reason: ErrorReason;
  readonly status: number;
  readonly metadata: ErrorMetadata | undefined;

  constructor(reason: ErrorReason, message: string, metadata?: ErrorMetadata) {
    super(message);
    this.name = 'AppError';
    this.reason = reason;
    this.status = ERROR_CATALOGUE[reason];
    this.metadata = metadata;
  }

  /** The text stored in `task.reason` when this error fails a running task. */
  toTaskReason(): string {
    return `${this.reason}: ${this.message}`;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
