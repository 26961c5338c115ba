/** Webhook: signed Standard Webhooks delivery to a local receiver, retried after a 500 with the same webhook-id. */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegEngineDouble } from '../helpers/service-engine-double.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { createLogger } from '../../src/config/logger.js';
import { WebhookDispatcher } from '../../src/tasks/webhook-dispatcher.js';
import { pollUntilEnded, startService, type Service } from '../helpers/service-harness.js';

interface Received { headers: IncomingHttpHeaders; body: string; at: number }

describe('webhook delivery', () => {
  let receiver: Server;
  let hookUrl: string;
  const received: Received[] = [];
  let media: string;
  let svc: Service;

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-hook-'));
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString(), at: Date.now() });
        // the first delivery fails, the retry succeeds
        res.writeHead(received.length === 1 ? 500 : 204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    svc = await startService({ engine: new FfmpegEngineDouble(), env: { MARIONETTE_ALLOW_HOSTS: '127.0.0.1' }, webhookBaseDelayMs: 300 });
  });
  afterAll(async () => {
    await svc?.close();
    await new Promise((r) => receiver.close(r));
    await rm(media, { recursive: true, force: true });
  });

  it('POSTs the task-result body, signed, and retries after a 500', async () => {
    const image = (await readFile(await makePng(media))).toString('base64');
    const video = (await readFile(await makeMp4(media, { seconds: 3 }))).toString('base64');
    const res = await fetch(`${svc.baseUrl}/v3/async/kling-v2.6-pro-motion-control`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${svc.apiKey}` },
      body: JSON.stringify({ image, video, character_orientation: 'video', extra: { webhook: { url: hookUrl } } }),
    });
    const { task_id: taskId } = await res.json() as { task_id: string };
    const final = (await pollUntilEnded(svc, taskId)).pop()!;
    expect(final.task.status).toBe('TASK_STATUS_SUCCEED');

    const deadline = Date.now() + 10_000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(received).toHaveLength(2);
    const [first, second] = received;
    expect(second.at - first.at).toBeGreaterThanOrEqual(250); // backoff, not an immediate retry
    expect(first.headers['webhook-id']).toMatch(/^msg_/);
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);

    // verify the signature the way a receiver would, from the raw secret
    const secret = Buffer.from(svc.config.webhookSecret.slice('whsec_'.length), 'base64');
    for (const r of received) {
      expect(r.headers['content-type']).toBe('application/json');
      const ts = Number(r.headers['webhook-timestamp']);
      expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(60);
      const expected = createHmac('sha256', secret).update(`${r.headers['webhook-id']}.${ts}.${r.body}`).digest('base64');
      expect(r.headers['webhook-signature']).toBe(`v1,${expected}`);
    }

    const event = JSON.parse(second.body) as { event_type: string; payload: typeof final };
    expect(event.event_type).toBe('ASYNC_TASK_RESULT');
    // exactly the task-result body (the signed URL is issued per call)
    expect({ ...event.payload, videos: [] }).toEqual({ ...final, videos: [] });
    expect(event.payload.videos[0].video_url_ttl).toBe('3600');
    expect((await fetch(event.payload.videos[0].video_url)).status).toBe(200);

    const row = svc.backend.db.prepare('SELECT id FROM webhook_outbox WHERE task_id = ?').get(taskId) as { id: string };
    // delivered on the second try: the first try's error is not left behind as if it still held
    expect(await svc.backend.outbox.getDelivery(row.id)).toMatchObject({ attempts: 2, gaveUp: false, lastError: '' });
  });

  it('never connects to a private address unless its host is allowed', async () => {
    const strict = await startService({ engine: new FfmpegEngineDouble(), webhookBaseDelayMs: 100000 });
    try {
      const before = received.length;
      const image = (await readFile(await makePng(media, 'i2.png'))).toString('base64');
      const video = (await readFile(await makeMp4(media, { name: 'v2.mp4', seconds: 3 }))).toString('base64');
      const r = await strict.app.inject({ method: 'POST', url: '/v3/async/kling-v2.6-pro-motion-control', headers: { authorization: strict.apiKey },
        payload: { image, video, character_orientation: 'video', extra: { webhook: { url: hookUrl } } } });
      // refused at submit…
      expect(r.statusCode).toBe(400);
      expect(r.json()).toMatchObject({ reason: 'INVALID_REQUEST_BODY', metadata: { field: 'extra.webhook.url' } });
      // …and at delivery, for a row that got past it (a name that resolved elsewhere at submit)
      const taskId = 'rebound';
      await strict.backend.tasks.createTask({ id: taskId, owner: 'o', orientation: 'video', keepOriginalSound: true, prompt: '', negativePrompt: '',
        webhookUrl: hookUrl, image: { kind: 'url', url: 'https://e.com/i.png' }, video: { kind: 'url', url: 'https://e.com/v.mp4' }, submitMs: Date.now() });
      await strict.backend.tasks.finishTask(taskId, { status: 'FAILED', reason: 'X: y', completeMs: Date.now() });
      const row = () => strict.backend.db.prepare('SELECT id, attempts, last_error AS lastError FROM webhook_outbox WHERE task_id = ?').get(taskId) as { attempts: number; lastError: string };
      const deadline = Date.now() + 5000;
      while (row().attempts === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
      expect(row().attempts).toBe(1);
      expect(row().lastError).not.toBe('');
      expect(received.length).toBe(before);
    } finally {
      await strict.close();
    }
  });

  it('at shutdown, a task that ended during the grace period still gets its webhook (flush)', async () => {
    const before = received.length;
    const taskId = 'ended-in-grace';
    await svc.backend.tasks.createTask({ id: taskId, owner: 'o', orientation: 'video', keepOriginalSound: true, prompt: '', negativePrompt: '',
      webhookUrl: hookUrl, image: { kind: 'url', url: 'https://e.com/i.png' }, video: { kind: 'url', url: 'https://e.com/v.mp4' }, submitMs: Date.now() });
    await svc.backend.tasks.finishTask(taskId, { status: 'FAILED', reason: 'X: y', completeMs: Date.now() });
    // a dispatcher that is not polling (as after stop): only the flush can deliver
    const d = new WebhookDispatcher({ config: svc.config, outbox: svc.backend.outbox, tasks: svc.backend.tasks, storage: svc.storage, logger: createLogger('silent') });
    await svc.dispatcher!.stop();
    await d.flush(5000);
    expect(received.length).toBe(before + 1);
    expect(JSON.parse(received.at(-1)!.body)).toMatchObject({ payload: { task: { task_id: taskId, status: 'TASK_STATUS_FAILED' } } });
  });
});
