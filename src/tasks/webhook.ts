/** Standard Webhooks signing and the retry schedule (pure). */
import { createHmac } from 'node:crypto';
import type { TaskResultBody } from './result-view.js';

export const WEBHOOK_EVENT = 'ASYNC_TASK_RESULT';
/** Retries after the first try (upstream: up to 5). */
export const WEBHOOK_MAX_RETRIES = 5;
export const WEBHOOK_TIMEOUT_MS = 5000;

export function webhookBody(payload: TaskResultBody): string {
  return JSON.stringify({ event_type: WEBHOOK_EVENT, payload });
}

/** `v1,<base64 HMAC-SHA256(secretBytes, "<id>.<timestamp>.<body>")>`, secretBytes = base64 after `whsec_`. */
export function webhookSignature(secret: string, msgId: string, timestampS: number, body: string): string {
  const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${msgId}.${timestampS}.${body}`).digest('base64')}`;
}

export function webhookHeaders(secret: string, msgId: string, timestampS: number, body: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': msgId,
    'webhook-timestamp': String(timestampS),
    'webhook-signature': webhookSignature(secret, msgId, timestampS, body),
  };
}

/**
 * When to try again after `triesSoFar` failed tries (1 after the first): base, 2·base, 4·base, …;
 * null once the retries are used up.
 */
export function nextRetryDelayMs(triesSoFar: number, baseMs: number, maxRetries = WEBHOOK_MAX_RETRIES): number | null {
  if (triesSoFar > maxRetries) return null;
  return baseMs * 2 ** (triesSoFar - 1);
}
