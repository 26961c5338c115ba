/** Messages between the task worker and the engine child process. */
import { AppError, ERROR_CATALOGUE, type ErrorMetadata, type ErrorReason } from '../domain/errors.js';
import type { AnimateRequest, AnimateResult, EngineProgress } from './types.js';

export type ToChild = { type: 'animate'; req: AnimateRequest; threads: number };
export type FromChild =
  | { type: 'progress'; progress: EngineProgress }
  | { type: 'done'; result: AnimateResult }
  | { type: 'failed'; error: { reason: ErrorReason; message: string; metadata?: ErrorMetadata } | { internal: string } };

export function serializeError(err: unknown): Extract<FromChild, { type: 'failed' }>['error'] {
  if (err instanceof AppError) return { reason: err.reason, message: err.message, metadata: err.metadata };
  return { internal: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err) };
}

export function deserializeError(e: Extract<FromChild, { type: 'failed' }>['error']): Error {
  if ('reason' in e && e.reason in ERROR_CATALOGUE) return new AppError(e.reason, e.message, e.metadata);
  return new Error('internal' in e ? e.internal : 'engine failed');
}
