/**
 * ioredis options from a redis:// or rediss:// URL (pure). Every command gets a deadline (commandTimeout), queued
 * commands included, so a Redis that stops answering fails a claim instead of holding a worker forever.
 */
import type { RedisOptions } from 'ioredis';

export interface RedisConnectionSettings {
  /** Each command fails after this long, even one waiting for a reconnect. */
  commandTimeoutMs: number;
  /** A TCP connect gives up after this long (then ioredis retries, with its backoff). */
  connectTimeoutMs?: number;
}

export function redisOptionsFromUrl(url: string, s: RedisConnectionSettings): RedisOptions {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error(`not a redis URL: ${u.protocol}`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  if (!Number.isInteger(db) || db < 0) throw new Error(`the redis URL's path must be a database number, not ${JSON.stringify(u.pathname)}`);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db,
    tls: u.protocol === 'rediss:' ? { servername: u.hostname } : undefined,
    commandTimeout: s.commandTimeoutMs,
    connectTimeout: s.connectTimeoutMs ?? 10_000,
    // Reconnect forever, at most every 5 s: a Redis restart must not end a worker process.
    retryStrategy: (times: number) => Math.min(5000, 200 * times),
  };
}
