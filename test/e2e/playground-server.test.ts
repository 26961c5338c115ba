/**
 * The playground's serving (headers, caching, versioned links) and the page module's pure checks,
 * run in Node. The browser flow is in playground.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import { installErrorHandling } from '../../src/api/error-handler.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImageFile, inspectVideoFile } from '../../src/media/inspect.js';
import { MAX_INPUT_BYTES, validateImageInfo, validateVideoInfo } from '../../src/media/limits.js';
import {
  CACHE_FOREVER, CACHE_REVALIDATE, WEB_DIR, cacheControlFor, contentTypeOf, hashOf, isNotModified,
  loadPlayground, registerPlayground, versionAssetLinks, type PlaygroundFile,
} from '../../src/api/playground.js';

type ImageInfo = Parameters<typeof validateImageInfo>[0];
type VideoInfo = Parameters<typeof validateVideoInfo>[0];

const file = (body: string, contentType = 'text/css; charset=utf-8'): PlaygroundFile => ({ body: Buffer.from(body), contentType, hash: hashOf(body) });

describe('playground serving, pure parts', () => {
  it('maps extensions to content types and refuses unknown ones', () => {
    expect(contentTypeOf('playground.js')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeOf('playground.CSS')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('icon.svg')).toBe('image/svg+xml');
    expect(contentTypeOf('notes.md')).toBeUndefined();
  });

  it('versions only the links to assets that exist', () => {
    const assets = new Map([['a.css', file('x')]]);
    const html = '<link href="/playground/a.css"><script src=\'/playground/b.js\'></script>';
    expect(versionAssetLinks(html, assets)).toBe(`<link href="/playground/a.css?v=${hashOf('x')}"><script src='/playground/b.js'></script>`);
  });

  it('caches forever only the current version', () => {
    const f = file('body');
    expect(cacheControlFor(f.hash, f)).toBe(CACHE_FOREVER);
    expect(cacheControlFor('stale', f)).toBe(CACHE_REVALIDATE);
    expect(cacheControlFor(undefined, f)).toBe(CACHE_REVALIDATE);
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    expect(isNotModified('"a", W/"b"', '"b"')).toBe(true);
    expect(isNotModified('*', '"b"')).toBe(true);
    expect(isNotModified('"c"', '"b"')).toBe(false);
    expect(isNotModified(undefined, '"b"')).toBe(false);
  });

  it('loads a web folder: page with versioned links, assets by name, nothing else', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'playground-web-'));
    try {
      await writeFile(path.join(dir, 'index.html'), '<link rel="stylesheet" href="/playground/s.css">');
      await writeFile(path.join(dir, 's.css'), 'body{}');
      await writeFile(path.join(dir, 'secret.txt'), 'no');
      const { page, assets } = await loadPlayground(dir);
      expect([...assets.keys()]).toEqual(['s.css']);
      expect(page.body.toString()).toBe(`<link rel="stylesheet" href="/playground/s.css?v=${hashOf('body{}')}">`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('playground routes', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    installErrorHandling(app, 1024);
    await registerPlayground(app);
  });
  afterAll(async () => { await app.close(); });

  it('serves the page at / with its type, policy and revalidation', async () => {
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe(CACHE_REVALIDATE);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toMatch(/src="\/playground\/playground\.js\?v=[\w-]{16}"/);
    const again = await app.inject({ url: '/', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('serves every linked asset with its type, immutable at its current version', async () => {
    const html = (await app.inject({ url: '/' })).body;
    const links = [...html.matchAll(/"(\/playground\/[\w.-]+\?v=[\w-]+)"/g)].map((m) => m[1]);
    expect(links.length).toBe(3);
    for (const link of links) {
      const res = await app.inject({ url: link });
      expect(res.statusCode, link).toBe(200);
      expect(res.headers['cache-control']).toBe(CACHE_FOREVER);
      expect(res.headers['content-type']).toBe(contentTypeOf(link.split('?')[0]));
    }
    const unversioned = await app.inject({ url: '/playground/playground.css' });
    expect(unversioned.headers['cache-control']).toBe(CACHE_REVALIDATE);
    const head = await app.inject({ method: 'HEAD', url: '/playground/playground.js' });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('answers no file outside the list, with the API\'s 404 body', async () => {
    for (const url of ['/playground/index.html', '/playground/..%2Fpackage.json', '/playground/..%2F..%2Fpackage.json', '/playground/nope.js']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: 404, reason: 'API_NOT_FOUND' });
    }
  });
});

interface PageModule {
  sniffImage(b: Uint8Array): string | null;
  sniffVideo(b: Uint8Array): string | null;
  checkMedia(kind: 'image' | 'video', m: Record<string, unknown>, orientation: 'image' | 'video'): string;
  describeFile(b: Uint8Array): string;
  fieldOf(reason: string, field?: string): string;
  splitReason(reason: string): { code: string; text: string };
  etaText(status: string, percent: number, eta: number, queuePosition?: number): string;
}

describe('the page module, in Node', () => {
  let page: PageModule;
  beforeAll(async () => {
    page = await import(pathToFileURL(path.join(WEB_DIR, 'playground.js')).href) as PageModule;
  });

  it('judges JPEG, PNG and ISO BMFF by their first bytes', () => {
    expect(page.sniffImage(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(page.sniffImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe('image/png');
    expect(page.sniffImage(Buffer.from('GIF89a-------'))).toBeNull();
    expect(page.sniffVideo(Buffer.from('\0\0\0\x20ftypisom'))).toBe('video/mp4');
    expect(page.sniffVideo(Buffer.from('\0\0\0\x14ftypqt  '))).toBe('video/quicktime');
    expect(page.sniffVideo(Buffer.from('\0\0\0\x08wide\0\0\0\0mdat'))).toBe('video/quicktime');
    expect(page.sniffVideo(Buffer.from('\x1aE\xdf\xa3webm....'))).toBeNull();
  });

  it('names a wrong format as the server does, judged by the first bytes', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'playground-formats-'));
    const heads: Record<string, Buffer> = {
      gif: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;'),
      text: Buffer.from('<html>not a picture</html>\n'),
      webm: Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01, 0x42, 0xf7, 0x81]),
      avi: Buffer.concat([Buffer.from('RIFF\x10\x00\x00\x00AVI LIST'), Buffer.alloc(20)]),
      heic: Buffer.concat([Buffer.from('\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic'), Buffer.alloc(20)]),
      binary: Buffer.from([0x00, 0x01, 0x02, 0x03, 0xfe, 0x10, 0x00, 0x00]),
      empty: Buffer.alloc(0),
      png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]),
      mp4: Buffer.concat([Buffer.from('\x00\x00\x00\x18ftypisom'), Buffer.alloc(20)]),
    };
    const serverSays = async (fn: () => Promise<unknown>) => { try { await fn(); return ''; } catch (err) { return (err as Error).message; } };
    try {
      for (const [name, head] of Object.entries(heads)) {
        const file = path.join(dir, name);
        await writeFile(file, head);
        const m = { head: new Uint8Array(head), bytes: head.length };
        if (name !== 'png') expect(page.checkMedia('image', m, 'video'), `image ${name}`).toBe(await serverSays(() => inspectImageFile(file)));
        if (name !== 'mp4') expect(page.checkMedia('video', m, 'video'), `video ${name}`).toBe(await serverSays(() => inspectVideoFile(file, 'video')));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('words each limit as src/media/limits.ts does, first broken limit first', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const ok = { head: png, bytes: 1000, width: 400, height: 600 };
    const serverSays = (fn: () => void) => { try { fn(); return ''; } catch (err) { return (err as Error).message; } };
    const imageCases = [
      ok,
      { ...ok, width: 250, height: 400 },
      { ...ok, bytes: 13_002_342 },
      { ...ok, bytes: MAX_INPUT_BYTES + 1 },
      { ...ok, bytes: 12 * 1024 * 1024 },
      { ...ok, width: 1240, height: 400 },
      { ...ok, width: 400, height: 1001 },
      { ...ok, width: 1000, height: 400 },
      { ...ok, width: 10_000, height: 6000 },
    ];
    for (const c of imageCases) {
      const expected = serverSays(() => validateImageInfo({ format: 'png', width: c.width, height: c.height, bytes: c.bytes } as ImageInfo));
      expect(page.checkMedia('image', c, 'video'), JSON.stringify(c)).toBe(expected);
    }
    expect(page.checkMedia('image', { ...ok, width: 250, height: 400 }, 'video')).toBe('image is 250x400 px; width and height must each be at least 300 px');

    const video = { head: new Uint8Array(Buffer.from('\0\0\0\x20ftypisom')), bytes: 1000, width: 720, height: 1280 };
    for (const seconds of [1, 2.96, 3, 10, 10.04, 10.06, 12, 30.02, 33.6]) {
      for (const orientation of ['image', 'video'] as const) {
        const c = { ...video, seconds };
        const expected = serverSays(() => validateVideoInfo({ width: c.width, height: c.height, durationS: seconds, bytes: c.bytes } as VideoInfo, orientation));
        expect(page.checkMedia('video', c, orientation), `${seconds} s, ${orientation}`).toBe(expected);
      }
    }
    expect(page.checkMedia('video', { ...video, seconds: 33.6 }, 'video')).toBe('video lasts 33.6 s; with character_orientation=video it must last 3 to 30 s');
    // A browser that cannot decode the codec knows neither size nor length: the server judges them.
    expect(page.checkMedia('video', { head: video.head, bytes: 1000 }, 'video')).toBe('');
  });

  it('puts a failure next to the field it concerns', () => {
    expect(page.fieldOf('INVALID_REQUEST_BODY', 'prompt')).toBe('prompt');
    expect(page.fieldOf('IMAGE_NO_PERSON_DETECTED')).toBe('image');
    expect(page.fieldOf('INVALID_IMAGE_SIZE')).toBe('image');
    expect(page.fieldOf('VIDEO_NO_PERSON_DETECTED')).toBe('video');
    expect(page.fieldOf('INVALID_VIDEO_DURATION')).toBe('video');
    expect(page.fieldOf('INVALID_API_KEY')).toBe('api-key');
    expect(page.fieldOf('CREATE_TASK_FAILED')).toBe('');
    expect(page.splitReason('VIDEO_NO_PERSON_DETECTED: no person is visible')).toEqual({ code: 'VIDEO_NO_PERSON_DETECTED', text: 'no person is visible' });
    expect(page.splitReason('')).toEqual({ code: '', text: 'the task failed' });
  });

  it('shows progress with an ETA in words', () => {
    expect(page.etaText('TASK_STATUS_PROCESSING', 42, 12)).toBe('42% · about 12 s left');
    expect(page.etaText('TASK_STATUS_PROCESSING', 5, 125)).toBe('5% · about 2 min 5 s left');
    expect(page.etaText('TASK_STATUS_QUEUED', 0, 0)).toBe('Queued');
    expect(page.etaText('TASK_STATUS_QUEUED', 0, 95, 3)).toBe('Queued · 3 ahead · about 1 min 35 s');
    expect(page.etaText('TASK_STATUS_SUCCEED', 100, 0)).toBe('Done · 100%');
  });
});
