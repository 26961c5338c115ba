import { describe, expect, it } from 'vitest';
import { backendProblems, backendWarnings, chooseBackends } from '../../src/config/backends.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const SECRETS = { MARIONETTE_WEBHOOK_SECRET: `whsec_${Buffer.alloc(32, 7).toString('base64')}`, MARIONETTE_URL_SIGNING_SECRET: 'x'.repeat(40) };
const cfg = (env: Record<string, string>) => loadConfig(env, '/tmp');

describe('backend selection', () => {
  it('is embedded by default: SQLite, its lease queue, local disk', () => {
    const c = cfg({});
    expect(chooseBackends(c)).toEqual({ store: 'sqlite', queue: 'sqlite', storage: 'local' });
    expect(backendProblems(c)).toEqual([]);
    expect(c.autoMigrate).toBe(true);
  });

  it('selects Postgres and S3 from their variables', () => {
    const c = cfg({ MARIONETTE_DATABASE_URL: 'postgres://u:pw@db:5432/m', MARIONETTE_S3_BUCKET: 'b', MARIONETTE_S3_ENDPOINT: 'http://minio:9000', ...SECRETS });
    expect(chooseBackends(c)).toEqual({ store: 'postgres', queue: 'postgres', storage: 's3' });
    expect(c.s3).toMatchObject({ bucket: 'b', endpoint: 'http://minio:9000', region: 'us-east-1', forcePathStyle: true });
    expect(backendProblems(c)).toEqual([]);
  });

  it('refuses Redis beside SQLite, saying why', () => {
    const p = backendProblems(cfg({ MARIONETTE_REDIS_URL: 'redis://r:6379' }));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/SQLite, a file on this host/);
  });

  it('selects BullMQ on Redis beside Postgres, with its settings', () => {
    const c = cfg({ MARIONETTE_DATABASE_URL: 'postgres://db/m', MARIONETTE_REDIS_URL: 'redis://:pw@r:6380/2', MARIONETTE_LEASE_S: '20', ...SECRETS });
    expect(chooseBackends(c)).toEqual({ store: 'postgres', queue: 'bullmq', storage: 'local' });
    expect(backendProblems(c)).toEqual([]);
    // a dead worker's task is back within the lease plus this
    expect(c.redis).toEqual({ prefix: 'marionette', commandTimeoutMs: 10_000, stalledIntervalMs: 10_000, retryBackoffMs: 1000 });
    expect(cfg({}).redis.stalledIntervalMs).toBe(30_000);
    expect(() => cfg({ MARIONETTE_REDIS_PREFIX: 'a b', MARIONETTE_REDIS_URL: 'http://r' })).toThrow(/REDIS_URL[\s\S]*REDIS_PREFIX/);
  });

  it('refuses per-host secrets when processes share Postgres', () => {
    const p = backendProblems(cfg({ MARIONETTE_DATABASE_URL: 'postgres://db/m' }));
    expect(p.join('\n')).toMatch(/MARIONETTE_WEBHOOK_SECRET and MARIONETTE_URL_SIGNING_SECRET must be set/);
  });

  it('warns where processes must share a host', () => {
    expect(backendWarnings(cfg({}), 'api').join()).toMatch(/only one API host/);
    expect(backendWarnings(cfg({}), 'serve')).toEqual([]);
    expect(backendWarnings(cfg({ MARIONETTE_DATABASE_URL: 'postgres://db/m', ...SECRETS }), 'worker').join()).toMatch(/MARIONETTE_S3_/);
  });

  it('reports half-given S3 settings and bad URLs together, without echoing passwords', () => {
    let err: unknown;
    try { cfg({ MARIONETTE_S3_ENDPOINT: 'http://minio:9000', MARIONETTE_DATABASE_URL: 'mysql://u:hunter2@h/db', MARIONETTE_AUTO_MIGRATE: 'maybe' }); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    const text = (err as ConfigError).problems.join('\n');
    expect(text).toMatch(/MARIONETTE_S3_ENDPOINT set without MARIONETTE_S3_BUCKET/);
    expect(text).toMatch(/MARIONETTE_DATABASE_URL.*postgres:\/\//);
    expect(text).not.toContain('hunter2');
    expect(text).toMatch(/MARIONETTE_AUTO_MIGRATE/);
    expect(() => cfg({ MARIONETTE_S3_BUCKET: 'b', MARIONETTE_S3_ACCESS_KEY_ID: 'k' })).toThrow(/go together/);
  });
});
