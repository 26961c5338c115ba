/**
 * The one error handler: AppError → its catalogue status and body; Fastify's validation and body-parsing
 * errors → INVALID_REQUEST_BODY naming the field; anything else → a bare 500 (details only in the log).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError, type ErrorMetadata } from '../domain/errors.js';
import { RateLimitError } from './limits.js';

export interface ErrorBody { code: number; reason: string; message: string; metadata?: ErrorMetadata }

export const INTERNAL_ERROR_BODY: ErrorBody = { code: 500, reason: 'INTERNAL_ERROR', message: 'internal error' };

export function errorBody(err: AppError): ErrorBody {
  const body: ErrorBody = { code: err.status, reason: err.reason, message: err.message };
  if (err.metadata && Object.keys(err.metadata).length > 0) body.metadata = err.metadata;
  return body;
}

/** The subset of an Ajv error we read. */
export interface ValidationIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const part of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

/** Turns the first schema violation into an AppError whose message names the field (pure). */
export function validationToAppError(issue: ValidationIssue, data: unknown, context: string): AppError {
  const pathField = issue.instancePath.split('/').slice(1).join('.');
  const where = context === 'body' ? 'request body' : context;
  switch (issue.keyword) {
    case 'required': {
      const missing = String(issue.params.missingProperty ?? '');
      const field = pathField ? `${pathField}.${missing}` : missing;
      return new AppError('INVALID_REQUEST_BODY', `${field} is required`, { field });
    }
    case 'type': {
      const type = String(issue.params.type ?? 'valid');
      if (!pathField) return new AppError('INVALID_REQUEST_BODY', `${where} must be a JSON ${type}`, { field: context });
      const article = /^[aeiou]/.test(type) ? 'an' : 'a';
      return new AppError('INVALID_REQUEST_BODY', `${pathField} must be ${article} ${type}`, { field: pathField });
    }
    case 'enum': {
      const allowed = (issue.params.allowedValues as unknown[] | undefined ?? []).map(String).join(', ');
      return new AppError('INVALID_REQUEST_BODY', `${pathField} must be one of: ${allowed}`, { field: pathField });
    }
    case 'maxLength': {
      const limit = Number(issue.params.limit);
      const v = valueAt(data, issue.instancePath);
      const actual = typeof v === 'string' ? [...v].length : undefined;
      return new AppError('INVALID_REQUEST_BODY', `${pathField} is ${actual ?? 'too many'} characters; at most ${limit} are allowed`,
        { field: pathField, limit, actual, unit: 'characters' });
    }
    case 'minLength':
      return new AppError('INVALID_REQUEST_BODY', `${pathField} must not be empty`, { field: pathField });
    default:
      return new AppError('INVALID_REQUEST_BODY', `${pathField || where} is invalid${issue.message ? `: ${issue.message}` : ''}`, { field: pathField || context });
  }
}

/** Maps Fastify's own errors (body parsing, limits) to the contract; null when it is not one of them. */
export function fastifyErrorToAppError(err: FastifyError, bodyLimitBytes: number): AppError | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('INVALID_REQUEST_BODY',
        `request body is larger than the limit of ${bodyLimitBytes} bytes (${Math.round(bodyLimitBytes / 1048576)} MB); send inputs as URLs or smaller files`,
        { field: 'body', limit: bodyLimitBytes, unit: 'bytes' });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('INVALID_REQUEST_BODY', 'Content-Type must be application/json', { field: 'content-type' });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('INVALID_REQUEST_BODY', 'request body is empty; send a JSON object', { field: 'body' });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('INVALID_REQUEST_BODY', 'request body is not valid JSON', { field: 'body' });
    default:
      break;
  }
  // The JSON parser's SyntaxError carries a 400 status.
  if (err instanceof SyntaxError || (err.statusCode === 400 && err.name === 'SyntaxError')) {
    return new AppError('INVALID_REQUEST_BODY', 'request body is not valid JSON', { field: 'body' });
  }
  return null;
}

export function installErrorHandling(app: FastifyInstance, bodyLimitBytes: number): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    let appErr: AppError | null;
    if (isAppError(err)) appErr = err;
    else if (err.validation && err.validation.length > 0) {
      const context = err.validationContext ?? 'body';
      const data = context === 'body' ? request.body : context === 'querystring' ? request.query : context === 'params' ? request.params : undefined;
      appErr = validationToAppError(err.validation[0] as ValidationIssue, data, context);
    } else appErr = fastifyErrorToAppError(err, bodyLimitBytes);

    if (appErr) {
      if (appErr.status >= 500) request.log.error({ err }, 'request failed');
      if (appErr instanceof RateLimitError) reply.header('Retry-After', String(appErr.retryAfterS));
      return reply.code(appErr.status).type('application/json').send(errorBody(appErr));
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      request.log.info({ err }, 'bad request');
      return reply.code(400).send(errorBody(new AppError('INVALID_REQUEST_BODY', 'bad request')));
    }
    request.log.error({ err, url: request.url, method: request.method }, 'unexpected error');
    return reply.code(500).type('application/json').send(INTERNAL_ERROR_BODY);
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(new AppError('API_NOT_FOUND', `no such endpoint: ${request.method} ${request.url.split('?')[0]}`)));
  });
}
