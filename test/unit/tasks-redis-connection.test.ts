import { describe, expect, it } from 'vitest';
import { redisOptionsFromUrl } from '../../src/tasks/bullmq/connection.js';

describe('redis connection options', () => {
  it('reads host, port, credentials, database and TLS from the URL; every command has a deadline', () => {
    expect(redisOptionsFromUrl('redis://127.0.0.1:6380', { commandTimeoutMs: 5000 })).toMatchObject({
      host: '127.0.0.1', port: 6380, db: 0, username: undefined, password: undefined, tls: undefined, commandTimeout: 5000, connectTimeout: 10_000,
    });
    const o = redisOptionsFromUrl('rediss://me:p%40ss@cache.example:6390/3', { commandTimeoutMs: 100, connectTimeoutMs: 50 });
    expect(o).toMatchObject({ host: 'cache.example', port: 6390, db: 3, username: 'me', password: 'p@ss', tls: { servername: 'cache.example' }, connectTimeout: 50 });
    expect(redisOptionsFromUrl('redis://[::1]', { commandTimeoutMs: 1 })).toMatchObject({ host: '::1', port: 6379 });
    expect(redisOptionsFromUrl('redis://h', { commandTimeoutMs: 1 }).retryStrategy!(100)).toBe(5000);
  });

  it('refuses a path that is not a database number', () => {
    expect(() => redisOptionsFromUrl('redis://h/cache', { commandTimeoutMs: 1 })).toThrow(/database number/);
    expect(() => redisOptionsFromUrl('http://h', { commandTimeoutMs: 1 })).toThrow(/not a redis URL/);
  });
});
