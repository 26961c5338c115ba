/** Every error of the contract, through the real app (inject) with real media inspection. */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { makeAvi, makeMp4, makePng, makeTextNamedMp4 } from '../helpers/service-media.js';
import { startService, type Service } from '../helpers/service-harness.js';

const ENDPOINT = '/v3/async/kling-v2.6-pro-motion-control';

describe('contract errors', () => {
  let svc: Service;
  let small: Service;
  let media: string;
  const b64: Record<string, string> = {};

  beforeAll(async () => {
    media = await mkdtemp(path.join(os.tmpdir(), 'marionette-err-'));
    const files = {
      image: await makePng(media),
      tinyImage: await makePng(media, 'tiny.png', '200x200'),
      video: await makeMp4(media, { seconds: 4, audio: false }),
      oneSecond: await makeMp4(media, { name: 'short.mp4', seconds: 1, audio: false }),
      smallVideo: await makeMp4(media, { name: 'small.mp4', size: '320x240', audio: false }),
      text: await makeTextNamedMp4(media),
      avi: await makeAvi(media),
    };
    for (const [k, f] of Object.entries(files)) b64[k] = (await readFile(f)).toString('base64');
    svc = await startService({ env: { MARIONETTE_API_KEYS: 'env-key-aaaaaaaaaaaaaaaa' } });
    small = await startService({ env: { MARIONETTE_BODY_LIMIT_MB: '1' } });
  });
  afterAll(async () => {
    await svc?.close();
    await small?.close();
    await rm(media, { recursive: true, force: true });
  });

  const post = (payload: unknown, o: { key?: string | null; raw?: string; type?: string; service?: Service } = {}) => {
    const s = o.service ?? svc;
    const headers: Record<string, string> = { 'content-type': o.type ?? 'application/json' };
    if (o.key !== null) headers.authorization = `Bearer ${o.key ?? s.apiKey}`;
    return s.app.inject({ method: 'POST', url: ENDPOINT, headers, payload: o.raw ?? JSON.stringify(payload) });
  };
  const valid = () => ({ image: b64.image, video: b64.video, character_orientation: 'video' });

  it('refuses a missing or unknown key with the exact contract body', async () => {
    for (const key of [null, 'nope-nope-nope-nope']) {
      const r = await post(valid(), { key });
      expect(r.statusCode).toBe(403);
      expect(r.json()).toEqual({ code: 403, reason: 'INVALID_API_KEY', message: 'invalid api-key' });
    }
    const q = await svc.app.inject({ method: 'GET', url: '/v3/async/task-result?task_id=x' });
    expect(q.statusCode).toBe(403);
  });

  it('accepts an env key, with or without the Bearer word', async () => {
    const a = await svc.app.inject({ method: 'GET', url: '/v3/async/task-result?task_id=x', headers: { authorization: 'BEARER env-key-aaaaaaaaaaaaaaaa' } });
    const b = await svc.app.inject({ method: 'GET', url: '/v3/async/task-result?task_id=x', headers: { authorization: 'env-key-aaaaaaaaaaaaaaaa' } });
    expect(a.statusCode).toBe(404);
    expect(b.statusCode).toBe(404);
  });

  it.each([
    ['missing field', { image: 'x', character_orientation: 'video' }, 'video is required', 'video'],
    ['missing orientation', { image: 'x', video: 'y' }, 'character_orientation is required', 'character_orientation'],
    ['wrong type', { image: 123, video: 'y', character_orientation: 'video' }, 'image must be a string', 'image'],
    ['wrong boolean', { image: 'x', video: 'y', character_orientation: 'video', keep_original_sound: 'yes' }, 'keep_original_sound must be a boolean', 'keep_original_sound'],
    ['bad enum', { image: 'x', video: 'y', character_orientation: 'side' }, 'character_orientation must be one of: image, video', 'character_orientation'],
    ['too-long prompt', { image: 'x', video: 'y', character_orientation: 'video', prompt: 'p'.repeat(2501) }, 'prompt is 2501 characters; at most 2500 are allowed', 'prompt'],
    ['too-long negative prompt', { image: 'x', video: 'y', character_orientation: 'video', negative_prompt: 'p'.repeat(3000) }, 'negative_prompt is 3000 characters; at most 2500 are allowed', 'negative_prompt'],
    ['body not an object', [1, 2], 'request body must be a JSON object', 'body'],
  ])('%s → INVALID_REQUEST_BODY naming the field', async (_name, payload, message, field) => {
    const r = await post(payload);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 400, reason: 'INVALID_REQUEST_BODY', message, metadata: { field } });
  });

  it('a prompt of exactly 2500 characters is fine as far as the prompt goes', async () => {
    const r = await post({ ...valid(), prompt: 'p'.repeat(2500), image: 'ftp://x' });
    expect(r.json().metadata.field).toBe('image');
  });

  it('refuses a body that is not JSON, or not sent as JSON', async () => {
    const a = await post(null, { raw: '{"image": "x",' });
    expect(a.statusCode).toBe(400);
    expect(a.json()).toMatchObject({ code: 400, reason: 'INVALID_REQUEST_BODY', message: 'request body is not valid JSON' });
    const b = await post(null, { raw: 'image=x', type: 'text/plain' });
    expect(b.statusCode).toBe(400);
    expect(b.json()).toMatchObject({ reason: 'INVALID_REQUEST_BODY', message: 'Content-Type must be application/json' });
    const c = await post(null, { raw: '' });
    expect(c.json()).toMatchObject({ code: 400, reason: 'INVALID_REQUEST_BODY' });
  });

  it('refuses an oversized body naming the limit', async () => {
    const r = await post({ ...valid(), image: 'A'.repeat(1_200_000) }, { service: small });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 400, reason: 'INVALID_REQUEST_BODY', metadata: { field: 'body', limit: 1048576 } });
    expect(r.json().message).toContain('1048576 bytes (1 MB)');
  });

  it('refuses a bad webhook URL', async () => {
    const r = await post({ ...valid(), extra: { webhook: { url: 'ftp://example.com/x' } } });
    expect(r.json()).toMatchObject({ code: 400, reason: 'INVALID_REQUEST_BODY', metadata: { field: 'extra.webhook.url' } });
  });

  it.each([
    ['1 s clip', 'oneSecond', 'INVALID_VIDEO_DURATION'],
    ['320x240 clip', 'smallVideo', 'INVALID_VIDEO_SIZE'],
    ['text named .mp4', 'text', 'INVALID_VIDEO_FORMAT'],
    ['AVI via base64', 'avi', 'INVALID_VIDEO_FORMAT'],
  ])('%s → 400 %s before any task exists', async (_name, which, reason) => {
    const r = await post({ ...valid(), video: b64[which] });
    expect(r.statusCode).toBe(400);
    const body = r.json();
    expect(body).toMatchObject({ code: 400, reason, metadata: { field: 'video' } });
    expect(body.message).toMatch(/^video /);
    expect(svc.backend.db.prepare('SELECT COUNT(*) AS n FROM tasks').get()).toEqual({ n: 0 });
    expect(await readdir(path.join(svc.dir, 'inputs')).catch(() => [])).toEqual([]);
  });

  it('a too-small image → 400 INVALID_IMAGE_SIZE naming the size', async () => {
    const r = await post({ ...valid(), image: b64.tinyImage });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 400, reason: 'INVALID_IMAGE_SIZE', metadata: { field: 'image', limit: 300, actual: '200x200' } });
  });

  it('a video as an image → 400 INVALID_IMAGE_FORMAT', async () => {
    const r = await post({ ...valid(), image: b64.video });
    expect(r.json()).toMatchObject({ code: 400, reason: 'INVALID_IMAGE_FORMAT', metadata: { field: 'image' } });
  });

  it('unknown routes → 404 API_NOT_FOUND; task-result without task_id names the field', async () => {
    const r = await svc.app.inject({ method: 'GET', url: '/v3/async/nothing-here', headers: { authorization: svc.apiKey } });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ code: 404, reason: 'API_NOT_FOUND' });
    const q = await svc.app.inject({ method: 'GET', url: '/v3/async/task-result', headers: { authorization: svc.apiKey } });
    expect(q.json()).toMatchObject({ code: 400, reason: 'INVALID_REQUEST_BODY', message: 'task_id is required', metadata: { field: 'task_id' } });
  });

  it('an unexpected fault is a bare 500 that says nothing about the insides', async () => {
    const broken = await buildApp({
      config: svc.config, storage: svc.storage,
      store: { tasks: { ...svc.backend.tasks, getTaskStatus: () => Promise.reject(new Error('disk on fire at /secret/path')) } as never, queries: svc.backend.queries, keys: svc.backend.keys, ping: () => true },
    });
    const r = await broken.inject({ method: 'GET', url: '/v3/async/task-result?task_id=x', headers: { authorization: svc.apiKey } });
    expect(r.statusCode).toBe(500);
    expect(r.json()).toEqual({ code: 500, reason: 'INTERNAL_ERROR', message: 'internal error' });
    await broken.close();
  });
});
