import { describe, expect, it } from 'vitest';
import { errorBody, fastifyErrorToAppError, validationToAppError } from '../../src/api/error-handler.js';
import { AppError } from '../../src/domain/errors.js';
import { parseWebhookUrl } from '../../src/api/create-task.js';
import type { FastifyError } from 'fastify';

describe('validationToAppError', () => {
  it('names a missing field', () => {
    const e = validationToAppError({ instancePath: '', keyword: 'required', params: { missingProperty: 'video' } }, {}, 'body');
    expect(errorBody(e)).toEqual({ code: 400, reason: 'INVALID_REQUEST_BODY', message: 'video is required', metadata: { field: 'video' } });
  });

  it('names a nested missing field with its path', () => {
    const e = validationToAppError({ instancePath: '/extra/webhook', keyword: 'required', params: { missingProperty: 'url' } }, {}, 'body');
    expect(e.message).toBe('extra.webhook.url is required');
    expect(e.metadata?.field).toBe('extra.webhook.url');
  });

  it('names the enum and its values', () => {
    const e = validationToAppError({ instancePath: '/character_orientation', keyword: 'enum', params: { allowedValues: ['image', 'video'] } }, {}, 'body');
    expect(errorBody(e)).toEqual({ code: 400, reason: 'INVALID_REQUEST_BODY', message: 'character_orientation must be one of: image, video', metadata: { field: 'character_orientation' } });
  });

  it('names a wrong type', () => {
    expect(validationToAppError({ instancePath: '/keep_original_sound', keyword: 'type', params: { type: 'boolean' } }, {}, 'body').message)
      .toBe('keep_original_sound must be a boolean');
    expect(validationToAppError({ instancePath: '', keyword: 'type', params: { type: 'object' } }, [], 'body').message)
      .toBe('request body must be a JSON object');
  });

  it('gives the limit and the length seen for a long prompt', () => {
    const e = validationToAppError({ instancePath: '/prompt', keyword: 'maxLength', params: { limit: 2500 } }, { prompt: 'é'.repeat(2600) }, 'body');
    expect(e.message).toBe('prompt is 2600 characters; at most 2500 are allowed');
    expect(e.metadata).toEqual({ field: 'prompt', limit: 2500, actual: 2600, unit: 'characters' });
  });
});

describe('fastifyErrorToAppError', () => {
  const fe = (code: string, statusCode = 400) => Object.assign(new Error(code), { code, statusCode }) as FastifyError;
  it('maps body problems to INVALID_REQUEST_BODY', () => {
    expect(fastifyErrorToAppError(fe('FST_ERR_CTP_BODY_TOO_LARGE', 413), 30 * 1048576)?.message).toContain('31457280 bytes (30 MB)');
    expect(fastifyErrorToAppError(fe('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415), 1)?.message).toBe('Content-Type must be application/json');
    expect(fastifyErrorToAppError(fe('FST_ERR_CTP_EMPTY_JSON_BODY'), 1)?.reason).toBe('INVALID_REQUEST_BODY');
    expect(fastifyErrorToAppError(Object.assign(new SyntaxError('Unexpected token'), { statusCode: 400 }) as unknown as FastifyError, 1)?.message)
      .toBe('request body is not valid JSON');
    expect(fastifyErrorToAppError(fe('SOMETHING_ELSE', 500), 1)).toBeNull();
  });

  it('keeps metadata out of the body when there is none', () => {
    expect(errorBody(new AppError('TASK_NOT_FOUND', 'task not found'))).toEqual({ code: 404, reason: 'TASK_NOT_FOUND', message: 'task not found' });
  });
});

describe('parseWebhookUrl', () => {
  it('accepts http(s) URLs and refuses the rest naming the field', () => {
    expect(parseWebhookUrl(undefined)).toBeNull();
    expect(parseWebhookUrl('https://hooks.example.com/x?y=1')).toBe('https://hooks.example.com/x?y=1');
    for (const bad of ['ftp://x/y', 'not a url', 'javascript:alert(1)', '']) {
      const err = (() => { try { parseWebhookUrl(bad); } catch (e) { return e as AppError; } return null; })();
      expect(err?.reason).toBe('INVALID_REQUEST_BODY');
      expect(err?.metadata?.field).toBe('extra.webhook.url');
    }
  });
});
