import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { resolveSecrets, URL_SIGNING_SECRET_FILE, WEBHOOK_SECRET_FILE } from '../../src/config/secrets.js';

describe('loadConfig', () => {
  it('gives the documented defaults', () => {
    const c = loadConfig({}, '/srv');
    expect(c).toMatchObject({
      port: 8080, host: '127.0.0.1', dataDir: '/srv/data', publicUrl: 'http://localhost:8080', apiKeys: [], allowHosts: [],
      workers: 1, engineThreads: 2, resultTtlS: 604800, videoUrlTtlS: 3600, maxAttempts: 3, leaseS: 60,
      fetchConnectTimeoutMs: 10000, fetchTimeoutMs: 60000, fetchMaxRedirects: 5, bodyLimitMb: 30, logLevel: 'info',
    });
    expect(c.webhookSecret).toBeUndefined();
    expect(c.urlSigningSecret).toBeUndefined();
  });

  it('reads every variable', () => {
    const c = loadConfig({
      MARIONETTE_PORT: '9000', MARIONETTE_HOST: '0.0.0.0', MARIONETTE_DATA_DIR: '/var/m', MARIONETTE_PUBLIC_URL: 'https://m.example.com/',
      MARIONETTE_API_KEYS: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2', MARIONETTE_ALLOW_HOSTS: 'Media.Internal,127.0.0.1', MARIONETTE_WORKERS: '2',
      MARIONETTE_ENGINE_THREADS: '4', MARIONETTE_RESULT_TTL_S: '86400', MARIONETTE_VIDEO_URL_TTL_S: '600',
      MARIONETTE_WEBHOOK_SECRET: `whsec_${Buffer.alloc(24, 7).toString('base64')}`, MARIONETTE_URL_SIGNING_SECRET: 'x'.repeat(40),
      MARIONETTE_MAX_ATTEMPTS: '5', MARIONETTE_LEASE_S: '30', MARIONETTE_FETCH_CONNECT_TIMEOUT_MS: '2000', MARIONETTE_FETCH_TIMEOUT_MS: '9000',
      MARIONETTE_FETCH_MAX_REDIRECTS: '0', MARIONETTE_BODY_LIMIT_MB: '50', MARIONETTE_LOG_LEVEL: 'DEBUG',
    });
    expect(c).toMatchObject({
      port: 9000, host: '0.0.0.0', dataDir: '/var/m', publicUrl: 'https://m.example.com', apiKeys: ['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2'],
      allowHosts: ['media.internal', '127.0.0.1'], workers: 2, engineThreads: 4, resultTtlS: 86400, videoUrlTtlS: 600, maxAttempts: 5,
      leaseS: 30, fetchConnectTimeoutMs: 2000, fetchTimeoutMs: 9000, fetchMaxRedirects: 0, bodyLimitMb: 50, logLevel: 'debug',
    });
    expect(c.urlSigningSecret).toBe('x'.repeat(40));
  });

  it('defaults PUBLIC_URL to the configured port', () => {
    expect(loadConfig({ MARIONETTE_PORT: '1234' }).publicUrl).toBe('http://localhost:1234');
  });

  it('reports every bad variable at once, naming variable, value and rule', () => {
    let err: unknown;
    try {
      loadConfig({ MARIONETTE_PORT: 'eighty', MARIONETTE_WORKERS: '0', MARIONETTE_PUBLIC_URL: 'ftp://x', MARIONETTE_LOG_LEVEL: 'loud',
        MARIONETTE_WEBHOOK_SECRET: 'not-a-secret', MARIONETTE_LEASE_S: '1.5' });
    } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(6);
    expect(problems[0]).toBe('MARIONETTE_PORT="eighty": must be an integer from 0 to 65535');
    expect(problems.join('\n')).toContain('MARIONETTE_WORKERS="0": must be an integer from 1 to 64');
    expect(problems.join('\n')).toContain('MARIONETTE_PUBLIC_URL="ftp://x": must be an absolute http(s) URL');
    expect(problems.join('\n')).toContain('MARIONETTE_LOG_LEVEL="loud": must be one of: fatal, error, warn, info, debug, trace, silent');
    expect(problems.join('\n')).toContain('MARIONETTE_WEBHOOK_SECRET=');
    // a secret is never echoed whole
    expect(problems.join('\n')).not.toContain('not-a-secret');
  });

  it('is deeply frozen', () => {
    const c = loadConfig({ MARIONETTE_API_KEYS: 'aaaaaaaaaaaaaaaa1' });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.apiKeys)).toBe(true);
    expect(() => { (c.apiKeys as string[]).push('x'); }).toThrow();
  });
});

describe('resolveSecrets', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'marionette-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('generates missing secrets once, 0600, and reuses them on the next start', async () => {
    const base = loadConfig({ MARIONETTE_DATA_DIR: dir });
    const first = await resolveSecrets(base);
    expect(first.generated.map((f) => path.basename(f)).sort()).toEqual([URL_SIGNING_SECRET_FILE, WEBHOOK_SECRET_FILE].sort());
    expect(first.config.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(first.config.webhookSecret.slice(6), 'base64')).toHaveLength(32);
    expect(statSync(path.join(dir, WEBHOOK_SECRET_FILE)).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, URL_SIGNING_SECRET_FILE), 'utf8').trim()).toBe(first.config.urlSigningSecret);
    const second = await resolveSecrets(base);
    expect(second.generated).toEqual([]);
    expect(second.config.webhookSecret).toBe(first.config.webhookSecret);
    expect(second.config.urlSigningSecret).toBe(first.config.urlSigningSecret);
  });

  it('keeps secrets given in the environment', async () => {
    const ws = `whsec_${Buffer.alloc(20, 1).toString('base64')}`;
    const r = await resolveSecrets(loadConfig({ MARIONETTE_DATA_DIR: dir, MARIONETTE_WEBHOOK_SECRET: ws, MARIONETTE_URL_SIGNING_SECRET: 'y'.repeat(32) }));
    expect(r.config.webhookSecret).toBe(ws);
    expect(r.config.urlSigningSecret).toBe('y'.repeat(32));
  });
});
