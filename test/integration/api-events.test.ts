/**
 * The event stream's two promises beyond its events: a quiet stream carries a heartbeat comment every
 * heartbeat interval (15 s in service; injected shorter here) and nothing else, and a client that goes away
 * ends the stream on the server: its poll stops, its entry leaves the open set, its socket closes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_HEARTBEAT_MS } from '../../src/api/job-routes.js';
import { makeMp4, makePng } from '../helpers/service-media.js';
import { startService, type Service } from '../helpers/service-harness.js';

async function until(check: () => boolean | Promise<boolean>, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe('task-events stream', () => {
  let media: string;
  let svc: Service;
  const streams = new Set<() => void>();

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-sse-'));
    // No engine: the task stays QUEUED, so the stream has nothing to say but its heartbeat.
    svc = await startService({ app: { eventsHeartbeatMs: 400, eventStreams: streams } });
  });
  afterAll(async () => {
    await svc.close();
    await rm(media, { recursive: true, force: true });
  });

  it('is 15 s in service', () => {
    expect(EVENTS_HEARTBEAT_MS).toBe(15_000);
  });

  it('sends a heartbeat comment each interval on a quiet stream, and stops when the client goes away', async () => {
    const image = (await readFile(await makePng(media))).toString('base64');
    const video = (await readFile(await makeMp4(media, { seconds: 3 }))).toString('base64');
    const created = await svc.app.inject({ method: 'POST', url: '/v3/async/kling-v2.6-pro-motion-control', headers: { authorization: svc.apiKey },
      payload: { image, video, character_orientation: 'video' } });
    const id = (created.json() as { task_id: string }).task_id;

    const client = new AbortController();
    const res = await fetch(`${svc.baseUrl}/v3/async/task-events?task_id=${id}`, { headers: { Authorization: `Bearer ${svc.apiKey}` }, signal: client.signal });
    expect(res.status).toBe(200);
    expect(streams.size).toBe(1);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while ((text.match(/^: keep-alive$/gm) ?? []).length < 3) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended early: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    // One event for the task as it is, then only heartbeats: nothing changed.
    const blocks = text.split('\n\n').filter((b) => b !== '');
    expect(blocks[0]).toBe('retry: 2000');
    expect(blocks[1]).toMatch(/^event: task\nid: TASK_STATUS_QUEUED-0\ndata: \{/);
    expect(blocks.slice(2)).toEqual([': keep-alive', ': keep-alive', ': keep-alive']);

    const connectionsBefore = await new Promise<number>((r) => svc.app.server.getConnections((_e, n) => r(n)));
    expect(connectionsBefore).toBeGreaterThanOrEqual(1);
    client.abort();
    await reader.cancel().catch(() => undefined);
    // The server notices: the stream leaves the open set (its poll timer cleared) and the socket closes.
    expect(await until(() => streams.size === 0, 10_000)).toBe(true);
    expect(await until(async () => (await new Promise<number>((r) => svc.app.server.getConnections((_e, n) => r(n)))) < connectionsBefore, 10_000)).toBe(true);
  });
});
