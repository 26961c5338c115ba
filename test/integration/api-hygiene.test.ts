/**
 * Service hygiene: a body that trickles in is cut off at REQUEST_TIMEOUT_MS; the real `marionette api` process keeps
 * its data dir 0700 and its files 0600; an ffprobe that cannot run is a 500 of ours, not INVALID_VIDEO_FORMAT.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectVideoFile } from '../../src/media/inspect.js';
import { FfmpegError } from '../../src/media/ffmpeg.js';
import { makeMp4 } from '../helpers/service-media.js';
import { startService } from '../helpers/service-harness.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

describe('service hygiene', () => {
  let media: string;
  beforeAll(async () => { media = await mkdtemp(path.join(os.tmpdir(), 'marionette-hyg-')); });
  afterAll(async () => { await rm(media, { recursive: true, force: true }); });

  it('closes a connection whose body is still arriving after REQUEST_TIMEOUT_MS', async () => {
    const svc = await startService({ env: { MARIONETTE_REQUEST_TIMEOUT_MS: '1000' } });
    try {
      const { port } = new URL(svc.baseUrl);
      const socket = net.connect(Number(port), '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write(`POST /v3/async/kling-v2.6-pro-motion-control HTTP/1.1\r\nHost: x\r\nAuthorization: ${svc.apiKey}\r\n`
        + 'Content-Type: application/json\r\nContent-Length: 29000000\r\n\r\n{"image":"');
      const opened = Date.now();
      const closed = await new Promise<boolean>((resolve) => {
        const guard = setTimeout(() => resolve(false), 15_000);
        socket.on('close', () => { clearTimeout(guard); resolve(true); });
        socket.on('error', () => undefined);
        const drip = setInterval(() => { if (!socket.destroyed) socket.write('A'); else clearInterval(drip); }, 200);
        socket.on('close', () => clearInterval(drip));
      });
      expect(closed).toBe(true);
      expect(Date.now() - opened).toBeGreaterThanOrEqual(900);
    } finally {
      await svc.close();
    }
  });

  it('`marionette api` keeps its data dir 0700 and the database and secrets 0600', async () => {
    const dir = path.join(media, 'data');
    const child = spawn(process.execPath, [CLI, 'api'], {
      env: { ...process.env, MARIONETTE_DATA_DIR: dir, MARIONETTE_PORT: '0', MARIONETTE_LOG_LEVEL: 'info' }, stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let log = '';
        child.stderr.on('data', (b: Buffer) => { log += b.toString(); if (log.includes('"listening"')) resolve(); });
        child.on('exit', (code) => reject(new Error(`api exited (${code}): ${log}`)));
      });
      const mode = async (p: string) => (await stat(p)).mode & 0o777;
      expect(await mode(dir)).toBe(0o700);
      for (const f of ['marionette.db', 'first-api-key.txt', 'webhook-secret.txt', 'url-signing-secret.txt']) {
        expect(await mode(path.join(dir, f)), f).toBe(0o600);
      }
      expect((await readFile(path.join(dir, 'first-api-key.txt'), 'utf8')).trim()).toMatch(/^mk_/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('an ffprobe that cannot run is our failure (FfmpegError), not the video\'s', async () => {
    const video = await makeMp4(media, { seconds: 3 });
    const saved = process.env.PATH;
    process.env.PATH = path.join(media, 'no-such-bin');
    try {
      await expect(inspectVideoFile(video, 'video')).rejects.toBeInstanceOf(FfmpegError);
    } finally {
      process.env.PATH = saved;
    }
  });
});
