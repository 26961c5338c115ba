/** The one place that spawns ffmpeg and ffprobe (found on PATH). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { probeArgs } from './ffmpeg-args.js';

export const FFMPEG_BIN = 'ffmpeg';
export const FFPROBE_BIN = 'ffprobe';
const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_PROBE_TIMEOUT_MS = 30_000;
/** Only the tail of stderr is kept: ffmpeg can print a line per frame. */
const STDERR_KEEP = 16 * 1024;

export class FfmpegError extends Error {
  constructor(message: string, readonly exitCode: number | null, readonly stderr: string) {
    super(message);
    this.name = 'FfmpegError';
  }
}

/** The last few meaningful stderr lines, for an error message. */
export function stderrTail(stderr: string, lines = 3): string {
  return stderr.split('\n').map((l) => l.trim()).filter((l) => l !== '').slice(-lines).join(' | ');
}

export function spawnFfmpeg(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(FFMPEG_BIN, args, { stdio: ['pipe', 'pipe', 'pipe'] });
}

interface RunOptions { timeoutMs?: number; signal?: AbortSignal; stdin?: Buffer }

function run(bin: string, args: string[], opts: RunOptions, defaultTimeout: number): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) { reject(opts.signal.reason instanceof Error ? opts.signal.reason : new Error(`${bin} aborted`)); return; }
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    let failure: Error | null = null;
    const kill = (err: Error): void => {
      failure ??= err;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(new FfmpegError(`${bin} timed out after ${opts.timeoutMs ?? defaultTimeout} ms`, null, stderr)),
      opts.timeoutMs ?? defaultTimeout);
    const onAbort = (): void => kill(opts.signal?.reason instanceof Error ? opts.signal.reason : new Error(`${bin} aborted`));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-STDERR_KEEP); });
    // ffmpeg may exit before reading all its input; that EPIPE is not the failure worth reporting.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin);
    child.on('error', (err) => {
      // Spawn failures (ENOENT) may not be followed by 'close'; a second settle is a no-op.
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(failure ?? new FfmpegError(`${bin} could not be started: ${err.message}`, null, ''));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (failure) { reject(failure); return; }
      if (code !== 0) {
        reject(new FfmpegError(`${bin} failed (${code === null ? `signal ${sig}` : `exit code ${code}`}): ${stderrTail(stderr)}`, code, stderr));
        return;
      }
      resolve({ stdout: Buffer.concat(chunks), stderr });
    });
  });
}

export async function runFfmpeg(args: string[], opts: RunOptions = {}): Promise<{ stdout: Buffer; stderr: string }> {
  return run(FFMPEG_BIN, args, opts, DEFAULT_TIMEOUT_MS);
}

export async function ffprobeJson(path: string, opts: { timeoutMs?: number } = {}): Promise<unknown> {
  const { stdout } = await run(FFPROBE_BIN, probeArgs(path), { timeoutMs: opts.timeoutMs }, DEFAULT_PROBE_TIMEOUT_MS);
  return JSON.parse(stdout.toString('utf8')) as unknown;
}

/** First line of `ffmpeg -version`, e.g. "ffmpeg version 5.1.9-0+deb12u1 …". */
export async function ffmpegVersion(): Promise<string> {
  const { stdout } = await runFfmpeg(['-hide_banner', '-version'], { timeoutMs: 10_000 });
  return stdout.toString('utf8').split('\n')[0].trim();
}
