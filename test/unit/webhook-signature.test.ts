import { describe, expect, it } from 'vitest';
import { nextRetryDelayMs, webhookBody, webhookHeaders, webhookSignature } from '../../src/tasks/webhook.js';
import type { TaskResultBody } from '../../src/tasks/result-view.js';

describe('Standard Webhooks signature', () => {
  it('matches the published Standard Webhooks test vector', () => {
    // Vector from the Standard Webhooks spec; independently re-derived with
    // `openssl dgst -sha256 -mac HMAC -macopt hexkey:<base64-decoded secret> -binary | base64`.
    const sig = webhookSignature('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}');
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('puts id, timestamp and signature in the headers', () => {
    const h = webhookHeaders('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_1', 1700000000, '{}');
    expect(h['webhook-id']).toBe('msg_1');
    expect(h['webhook-timestamp']).toBe('1700000000');
    expect(h['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(h['content-type']).toBe('application/json');
  });

  it('wraps the task-result body as the event payload', () => {
    const payload = { task: { task_id: 't' } } as unknown as TaskResultBody;
    expect(JSON.parse(webhookBody(payload))).toEqual({ event_type: 'ASYNC_TASK_RESULT', payload: { task: { task_id: 't' } } });
  });

  it('retries 5 times with exponential backoff, then gives up', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => nextRetryDelayMs(n, 1000))).toEqual([1000, 2000, 4000, 8000, 16000, null]);
  });
});
