/** fetchToFile against a local HTTP server: SSRF guard, redirects, size cut-off, timeouts. */
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { fetchToFile, type FetchOptions } from '../../src/media/fetch.js';
import { pinnedSafeLookup, resolveSafeAddress, safeLookup } from '../../src/net/ssrf-guard.js';

let dir: string;
let server: http.Server;
let port: number;
/** Bytes the server managed to send for the current /stream request. */
let streamed = 0;
const seenHosts: string[] = [];

const body = Buffer.from('0123456789'.repeat(100)); // 1000 bytes

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  seenHosts.push(req.headers.host ?? '');
  const url = new URL(req.url ?? '/', 'http://x');
  switch (url.pathname) {
    case '/file':
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': body.length });
      res.end(body);
      return;
    case '/redirect': // to the given target, n times
      res.writeHead(302, { location: url.searchParams.get('to') ?? '/file' });
      res.end();
      return;
    case '/chain': {
      const n = Number(url.searchParams.get('n'));
      res.writeHead(301, { location: n > 1 ? `/chain?n=${n - 1}` : '/file' });
      res.end();
      return;
    }
    case '/big-declared':
      res.writeHead(200, { 'content-length': 5000 });
      res.end(Buffer.alloc(5000));
      return;
    case '/stream': { // chunked, no Content-Length, far more than any limit
      streamed = 0;
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunk = Buffer.alloc(16 * 1024, 7);
      const pump = (): void => {
        while (streamed < 64 * 1024 * 1024 && !res.destroyed) {
          streamed += chunk.length;
          if (!res.write(chunk)) { res.once('drain', pump); return; }
        }
        res.end();
      };
      pump();
      return;
    }
    case '/slow':
      res.writeHead(200, { 'content-length': 100 });
      res.write('x');
      setTimeout(() => res.end('y'.repeat(99)), 3000).unref();
      return;
    case '/missing':
      res.writeHead(404);
      res.end('nope');
      return;
    default:
      res.writeHead(500);
      res.end();
  }
}

const opts = (o: Partial<FetchOptions> = {}): FetchOptions => ({
  allowHosts: [], maxBytes: 2000, connectTimeoutMs: 2000, totalTimeoutMs: 5000, maxRedirects: 3, ...o,
});
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'media-fetch-'));
  server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('fetchToFile', () => {
  it('refuses loopback by default, by address and by name, and leaves no file', async () => {
    const dest = path.join(dir, 'a');
    for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
      const err = await failure(fetchToFile('video', `http://${host}:${port}/file`, dest, opts()));
      expect(err).toMatchObject({ reason: 'INPUT_FETCH_FAILED', metadata: { field: 'video' } });
      expect(err.message).toMatch(/^video URL (address 127\.0\.0\.1 is a|host "localhost" resolves to 127\.0\.0\.1, a|address ::1 is a) loopback address; only public addresses are fetched$/);
    }
    expect(await exists(dest)).toBe(false);
  });

  it('fetches from a host in allowHosts, keeping the Host header of the name', async () => {
    const dest = path.join(dir, 'ok');
    seenHosts.length = 0;
    expect(await fetchToFile('video', `http://localhost:${port}/file`, dest, opts({ allowHosts: ['LOCALHOST'] })))
      .toEqual({ bytes: 1000, contentType: 'video/mp4' });
    expect((await readFile(dest)).equals(body)).toBe(true);
    expect(seenHosts).toEqual([`localhost:${port}`]);
  });

  it('follows redirects up to maxRedirects, checking every hop', async () => {
    const allow = opts({ allowHosts: ['localhost'] });
    expect((await fetchToFile('image', `http://localhost:${port}/chain?n=3`, path.join(dir, 'c3'), allow)).bytes).toBe(1000);
    const tooMany = await failure(fetchToFile('image', `http://localhost:${port}/chain?n=4`, path.join(dir, 'c4'), allow));
    expect(tooMany).toMatchObject({ reason: 'INPUT_FETCH_FAILED', message: 'image URL redirected more than 3 times', metadata: { field: 'image', limit: 3 } });
    // localhost is allowed, 127.0.0.1 is not: a redirect there is refused.
    const toBlocked = await failure(fetchToFile('image', `http://localhost:${port}/redirect?to=${encodeURIComponent(`http://127.0.0.1:${port}/file`)}`,
      path.join(dir, 'rb'), allow));
    expect(toBlocked.message).toBe('image URL address 127.0.0.1 is a loopback address; only public addresses are fetched');
    const toFile = await failure(fetchToFile('image', `http://localhost:${port}/redirect?to=${encodeURIComponent('file:///etc/passwd')}`,
      path.join(dir, 'rf'), allow));
    expect(toFile.message).toBe('image URL redirected to the unsupported scheme "file:"; only http and https are fetched');
  });

  it('refuses early when Content-Length is over the limit', async () => {
    const err = await failure(fetchToFile('video', `http://localhost:${port}/big-declared`, path.join(dir, 'big'), opts({ allowHosts: ['localhost'] })));
    expect(err).toMatchObject({ reason: 'VIDEO_FILE_EXCEEDS_MAX_SIZE', metadata: { field: 'video', limit: 2000, actual: 5000, unit: 'bytes' } });
    expect(await exists(path.join(dir, 'big'))).toBe(false);
  });

  it('stops a body without Content-Length at limit + 1 bytes and deletes the partial file', async () => {
    const dest = path.join(dir, 'stream');
    const limit = 1024 * 1024;
    const err = await failure(fetchToFile('image', `http://localhost:${port}/stream`, dest, opts({ allowHosts: ['localhost'], maxBytes: limit })));
    expect(err).toMatchObject({ reason: 'IMAGE_FILE_EXCEEDS_MAX_SIZE', metadata: { field: 'image', limit, actual: limit + 1 } });
    expect(await exists(dest)).toBe(false);
    await new Promise((r) => setTimeout(r, 100));
    expect(streamed).toBeLessThan(16 * 1024 * 1024); // the server was cut off long before its 64 MB
  });

  it('a Content-Length that understates the body never lets more than it into the file', async () => {
    // A raw server that declares 1500 bytes and then keeps sending.
    const liar = net.createServer((socket) => {
      socket.on('error', () => undefined);
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 1500\r\nconnection: close\r\n\r\n');
      const junk = Buffer.alloc(64 * 1024, 1);
      let sent = 0;
      const pump = (): void => {
        while (sent < 8 * 1024 * 1024 && !socket.destroyed) {
          sent += junk.length;
          if (!socket.write(junk)) { socket.once('drain', pump); return; }
        }
        socket.end();
      };
      pump();
    });
    await new Promise<void>((r) => liar.listen(0, '127.0.0.1', r));
    const dest = path.join(dir, 'liar');
    try {
      const result = await fetchToFile('video', `http://127.0.0.1:${(liar.address() as AddressInfo).port}/`, dest,
        opts({ allowHosts: ['127.0.0.1'] })).catch((e: unknown) => e);
      if (result instanceof Error) expect(await exists(dest)).toBe(false);
      else expect((await readFile(dest)).length).toBe(1500);
    } finally {
      await new Promise((r) => liar.close(r));
    }
  });

  it('names the status of a non-2xx answer', async () => {
    const err = await failure(fetchToFile('video', `http://localhost:${port}/missing`, path.join(dir, 'm'), opts({ allowHosts: ['localhost'] })));
    expect(err).toMatchObject({ reason: 'INPUT_FETCH_FAILED', message: 'video URL answered HTTP 404 Not Found; it must answer 200 with the file', metadata: { actual: 404 } });
  });

  it('gives up at the total timeout on a slow server', async () => {
    const dest = path.join(dir, 'slow');
    const started = Date.now();
    const err = await failure(fetchToFile('video', `http://localhost:${port}/slow`, dest, opts({ allowHosts: ['localhost'], totalTimeoutMs: 400 })));
    expect(err).toMatchObject({ reason: 'INPUT_FETCH_FAILED', message: 'fetching the video URL took longer than 0.4 s' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await exists(dest)).toBe(false);
  });

  it('reports refused connections and unresolvable names as INPUT_FETCH_FAILED', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const refused = await failure(fetchToFile('video', `http://127.0.0.1:${closedPort}/`, path.join(dir, 'r'), opts({ allowHosts: ['127.0.0.1'] })));
    expect(refused.message).toMatch(/could not be fetched: .*ECONNREFUSED/);
    const unknown = await failure(fetchToFile('video', 'http://no-such-host.invalid/v.mp4', path.join(dir, 'u'), opts()));
    expect(unknown.message).toMatch(/^video URL host "no-such-host.invalid" could not be resolved/);
  });
});

describe('resolveSafeAddress / safeLookup', () => {
  it('returns the checked address or throws', async () => {
    await expect(resolveSafeAddress('localhost', ['localhost'])).resolves.toEqual({ address: '127.0.0.1', family: 4 });
    await expect(resolveSafeAddress('8.8.8.8', [])).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(resolveSafeAddress('[::1]', [])).rejects.toMatchObject({ reason: 'INPUT_FETCH_FAILED' });
    await expect(resolveSafeAddress('169.254.169.254', [])).rejects.toMatchObject({ reason: 'INPUT_FETCH_FAILED' });
  });

  it('works as http.request({ lookup }) for names: refused unless allowed', async () => {
    const get = (allow: string[]): Promise<number> => new Promise((resolve, reject) => {
      http.get(`http://localhost:${port}/file`, { lookup: safeLookup(allow), agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
        .on('error', reject);
    });
    await expect(get(['localhost'])).resolves.toBe(200);
    await expect(get([])).rejects.toMatchObject({ reason: 'INPUT_FETCH_FAILED' });
  });

  it('pinnedSafeLookup also refuses IP literals, which Node connects to without calling lookup', async () => {
    await expect(pinnedSafeLookup('127.0.0.1', [])).rejects.toMatchObject({ reason: 'INPUT_FETCH_FAILED' });
    const lookup = await pinnedSafeLookup('127.0.0.1', ['127.0.0.1']);
    const status = await new Promise<number>((resolve, reject) => {
      http.get(`http://127.0.0.1:${port}/file`, { lookup, agent: false }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
    });
    expect(status).toBe(200);
  });
});
