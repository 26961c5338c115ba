/**
 * Safe URL fetch to a file. Every address is checked by the SSRF guard (src/net); the
 * connection then goes to the checked address (Host header and TLS SNI keep the name), for every
 * redirect hop. The body is streamed to disk and cut at maxBytes + 1 whatever Content-Length says.
 */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import { AppError } from '../domain/errors.js';
import { pinnedLookup, resolveSafeAddress } from '../net/ssrf-guard.js';
import type { MediaField } from './decode-input.js';
import { fileTooLargeError } from './limits.js';

export interface FetchOptions {
  allowHosts: readonly string[];
  maxBytes: number;
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  maxRedirects: number;
  signal?: AbortSignal;
}

function fetchFailed(field: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('INPUT_FETCH_FAILED', message, { field, ...extra });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface HopContext { field: MediaField; opts: FetchOptions; signal: AbortSignal }

function request(url: URL, address: string, family: 4 | 6, ctx: HopContext): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, {
      method: 'GET', lookup: pinnedLookup(address, family), signal: ctx.signal, agent: false,
      headers: { 'user-agent': 'marionette-fetch', accept: '*/*', 'accept-encoding': 'identity' },
    }, resolve);
    req.on('error', reject);
    req.on('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => req.destroy(fetchFailed(ctx.field,
        `${ctx.field} URL host "${url.hostname}" did not accept a connection within ${ctx.opts.connectTimeoutMs} ms`)), ctx.opts.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
    req.end();
  });
}

async function streamBody(res: IncomingMessage, destPath: string, ctx: HopContext): Promise<number> {
  const { field, opts } = ctx;
  const out = createWriteStream(destPath);
  // A disk error must stop the download (and not go unhandled); events.once(…'close') rejects with it.
  out.on('error', (err) => res.destroy(err));
  const closed = once(out, 'close');
  let total = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > opts.maxBytes) {
        // Stop reading at maxBytes + 1: a lying or absent Content-Length cannot fill the disk.
        res.destroy();
        throw fileTooLargeError(field, opts.maxBytes + 1, 'is at least', opts.maxBytes);
      }
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (!res.complete) throw fetchFailed(field, `${field} URL: the connection closed before the whole file arrived`);
  } finally {
    out.end();
    await closed;
  }
  return total;
}

async function fetchHops(field: MediaField, url: string, destPath: string, ctx: HopContext): Promise<{ bytes: number; contentType?: string }> {
  const { opts } = ctx;
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    if (current.protocol !== 'http:' && current.protocol !== 'https:') {
      throw fetchFailed(field, `${field} URL${hop > 0 ? ' redirected to' : ' has'} the unsupported scheme "${current.protocol}"; only http and https are fetched`);
    }
    const { address, family } = await resolveSafeAddress(current.hostname, opts.allowHosts, field);
    const res = await request(current, address, family, ctx);
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status) && res.headers.location) {
      res.resume();
      if (hop >= opts.maxRedirects) {
        throw fetchFailed(field, `${field} URL redirected more than ${opts.maxRedirects} times`, { limit: opts.maxRedirects });
      }
      current = new URL(res.headers.location, current);
      continue;
    }
    if (status < 200 || status > 299) {
      res.resume();
      throw fetchFailed(field, `${field} URL answered HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}; it must answer 200 with the file`, { actual: status });
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > opts.maxBytes) {
      res.destroy();
      throw fileTooLargeError(field, declared, 'is', opts.maxBytes);
    }
    const bytes = await streamBody(res, destPath, ctx);
    const contentType = res.headers['content-type'];
    return contentType === undefined ? { bytes } : { bytes, contentType };
  }
}

export async function fetchToFile(field: MediaField, url: string, destPath: string, opts: FetchOptions): Promise<{ bytes: number; contentType?: string }> {
  const total = new AbortController();
  const timer = setTimeout(() => total.abort(fetchFailed(field,
    `fetching the ${field} URL took longer than ${(opts.totalTimeoutMs / 1000).toFixed(1)} s`, { limit: opts.totalTimeoutMs, unit: 'ms' })), opts.totalTimeoutMs);
  const signal = opts.signal ? AbortSignal.any([total.signal, opts.signal]) : total.signal;
  try {
    return await fetchHops(field, url, destPath, { field, opts, signal });
  } catch (err) {
    await rm(destPath, { force: true });
    // A timeout or cancellation surfaces as the signal's reason, not as a bare AbortError.
    if (signal.aborted && signal.reason instanceof Error) throw signal.reason;
    if (err instanceof AppError) throw err;
    // Our own disk failing is not the URL's fault.
    const syscall = (err as NodeJS.ErrnoException).syscall;
    if (syscall === 'open' || syscall === 'write') throw err;
    throw fetchFailed(field, `${field} URL could not be fetched: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
  }
}
