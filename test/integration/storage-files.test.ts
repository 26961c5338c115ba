/** Signed result URLs over real HTTP: fresh works, expired and tampered are 403 (storage basics: test/contract). */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedObjectUrl, signPath } from '../../src/storage/signed-url.js';
import { startService, type Service } from '../helpers/service-harness.js';

describe('result downloads', () => {
  let svc: Service;
  const content = Buffer.from(Array.from({ length: 5000 }, (_, i) => i % 251));

  beforeAll(async () => {
    svc = await startService();
    const src = path.join(svc.dir, 'x.bin');
    await writeFile(src, content);
    await svc.storage.putFile('abc.mp4', src);
  });
  afterAll(async () => { await svc?.close(); });

  const urlFor = (key: string, nowMs = Date.now(), ttl = 60) => signedObjectUrl(svc.baseUrl, svc.config.urlSigningSecret, key, nowMs, ttl);

  it('serves a fresh signed URL without an API key', async () => {
    const r = await fetch(urlFor('abc.mp4'));
    expect(r.status).toBe(200);
    expect(Buffer.from(await r.arrayBuffer()).equals(content)).toBe(true);
    const head = await fetch(urlFor('abc.mp4'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('5000');
  });

  it('refuses an expired URL with RESULT_URL_EXPIRED', async () => {
    const r = await fetch(urlFor('abc.mp4', Date.now() - 120_000, 60));
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ code: 403, reason: 'RESULT_URL_EXPIRED' });
  });

  it('refuses tampered URLs with RESULT_URL_INVALID', async () => {
    const good = new URL(urlFor('abc.mp4'));
    const variants = [
      `${svc.baseUrl}/v1/files/abc.mp4`,
      `${svc.baseUrl}/v1/files/abc.mp4?expires=${Number(good.searchParams.get('expires')) + 10}&sig=${good.searchParams.get('sig')}`,
      `${svc.baseUrl}/v1/files/abd.mp4${good.search}`,
      `${svc.baseUrl}/v1/files/abc.mp4?${signPath('another-secret-another-secret-xx', '/v1/files/abc.mp4', Math.floor(Date.now() / 1000) + 60)}`,
      `${svc.baseUrl}/v1/files/..%2Fmarionette.db${good.search}`,
    ];
    for (const v of variants) {
      const r = await fetch(v);
      expect(r.status, v).toBe(403);
      expect(await r.json()).toMatchObject({ code: 403, reason: 'RESULT_URL_INVALID' });
    }
  });

  it('a deleted result is 404 even with a valid URL', async () => {
    const r = await fetch(urlFor('gone.mp4'));
    expect(r.status).toBe(404);
  });
});

describe('shutdown after a download', () => {
  it('does not wait for the downloader\'s keep-alive connection', async () => {
    const s = await startService();
    const src = path.join(s.dir, 'x.bin');
    await writeFile(src, Buffer.alloc(100_000, 7));
    await s.storage.putFile('k.mp4', src);
    const r = await fetch(signedObjectUrl(s.baseUrl, s.config.urlSigningSecret, 'k.mp4', Date.now(), 60));
    expect((await r.arrayBuffer()).byteLength).toBe(100_000);
    const t0 = Date.now();
    await s.close();
    // a response still finishing when close() began used to keep its socket for Fastify's 72 s keep-alive
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
