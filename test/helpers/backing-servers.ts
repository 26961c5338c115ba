/**
 * Throwaway Postgres, Redis and S3 (s3rver) servers for tests: free ports, temp dirs, no persistence, stopped
 * by the returned close(). When a binary is absent the suites skip saying why — except in CI (CI=true), where
 * they must run, so a missing package fails loudly instead of silently testing nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './service-harness.js';

export const IN_CI = process.env.CI === 'true';

function postgresBinDir(): string | null {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base).filter((v) => existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions.length > 0 ? path.join(base, versions[0], 'bin') : null;
}

function onPath(bin: string): boolean {
  return (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, bin)));
}

/** Why the scale-out backends cannot be tested here, or null when they can. */
export function missingBackingServers(): string | null {
  const missing: string[] = [];
  if (!postgresBinDir()) missing.push('postgresql (initdb under /usr/lib/postgresql/*/bin)');
  if (!onPath('redis-server')) missing.push('redis-server');
  if (missing.length === 0) return null;
  const why = `not installed: ${missing.join(', ')} (bash scripts/install.sh installs them)`;
  if (IN_CI) throw new Error(`CI=true but the scale-out tests cannot run: ${why}`);
  return why;
}

export interface RunningServer { url: string; close(): Promise<void> }

function waitExit(child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
    const t = setTimeout(() => { child.kill('SIGKILL'); }, ms);
    child.once('exit', () => { clearTimeout(t); resolve(); });
  });
}

function run(cmd: string, args: string[], asPostgres: boolean): Promise<void> {
  const [file, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not become ready within ${timeoutMs} ms`);
}

/** initdb (as the postgres user when root: initdb refuses root), then postgres on a free port, socket in /tmp, fsync off. */
export async function startPostgres(): Promise<RunningServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('postgres is not installed');
  const asPostgres = process.getuid?.() === 0;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-pg-'));
  if (asPostgres) {
    const { uid, gid } = await import('node:fs').then((fs) => fs.statSync('/var/lib/postgresql'));
    await chown(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  await run(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], asPostgres);
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-k', '/tmp', '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
    '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=100'];
  const [file, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', path.join(bin, 'postgres'), ...args]] : [path.join(bin, 'postgres'), args];
  const child = spawn(file, argv, { stdio: ['ignore', 'ignore', 'ignore'] });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const pg = await import('pg');
  await waitFor(async () => {
    const c = new pg.default.Client({ connectionString: url });
    await c.connect();
    await c.end();
    return true;
  }, 'postgres');
  return {
    url,
    async close() {
      child.kill('SIGINT'); // fast shutdown
      await waitExit(child, 10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** redis-server on a free port, no persistence, never evicting (what BullMQ needs). */
export async function startRedis(): Promise<RunningServer> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-redis-'));
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction', '--dir', dir],
    { stdio: ['ignore', 'ignore', 'ignore'] });
  const url = `redis://127.0.0.1:${port}`;
  const { Redis } = await import('ioredis');
  await waitFor(async () => {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {}); // refused until the server listens: the poll's answer, not news
    try { await r.connect(); return (await r.ping()) === 'PONG'; } finally { r.disconnect(); }
  }, 'redis');
  return {
    url,
    async close() {
      child.kill('SIGTERM');
      await waitExit(child, 10_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface RunningS3 extends RunningServer { bucket: string; accessKeyId: string; secretAccessKey: string; port: number }

/** s3rver (a protocol-level S3 server, in this process) on a free port with one bucket. */
export async function startS3(bucket = 'marionette'): Promise<RunningS3> {
  const { default: S3rver } = await import('s3rver');
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-s3-'));
  const server = new S3rver({ port, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: bucket }] });
  await server.run();
  return {
    url: `http://127.0.0.1:${port}`, port, bucket, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER',
    async close() {
      const http = server.httpServer;
      if (http) await new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => resolve()); });
      await rm(dir, { recursive: true, force: true });
    },
  };
}
