/** Encode raw rgb24 frames to an H.264 MP4 through ffmpeg, never exposing a half-written file. */
import { rename, rm } from 'node:fs/promises';
import { FfmpegError, spawnFfmpeg, stderrTail } from './ffmpeg.js';
import { encodeVideoArgs } from './ffmpeg-args.js';

export interface VideoWriter { write(frame: Uint8Array): Promise<void>; finish(): Promise<void>; abort(): Promise<void> }

export interface VideoWriterOptions { output: string; width: number; height: number; fps: number; frameCount: number; audioFrom?: string }

const STDERR_KEEP = 16 * 1024;

export function partialPath(output: string): string {
  return `${output}.partial.mp4`;
}

export function createVideoWriter(o: VideoWriterOptions): VideoWriter {
  const partial = partialPath(o.output);
  const frameSize = o.width * o.height * 3;
  const child = spawnFfmpeg(encodeVideoArgs({ ...o, output: partial }));
  let stderr = '';
  let failure: Error | null = null;
  let written = 0;
  let state: 'open' | 'finished' | 'aborted' = 'open';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-STDERR_KEEP); });
  // EPIPE when ffmpeg dies early; the exit status below says why.
  child.stdin.on('error', (err) => { failure ??= err; });
  child.on('error', (err) => { failure ??= new FfmpegError(`ffmpeg could not be started: ${err.message}`, null, ''); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const exitError = (code: number | null, signal: NodeJS.Signals | null): FfmpegError =>
    new FfmpegError(`encoding ${o.output} failed (${code === null ? `signal ${signal}` : `exit code ${code}`}): ${stderrTail(stderr)}`, code, stderr);

  return {
    async write(frame: Uint8Array): Promise<void> {
      if (state !== 'open') throw new Error(`video writer for ${o.output} is already ${state}`);
      if (frame.length !== frameSize) throw new RangeError(`frame is ${frame.length} bytes; ${o.width}x${o.height} rgb24 needs ${frameSize}`);
      if (written >= o.frameCount) throw new RangeError(`video writer for ${o.output} already has its ${o.frameCount} frames`);
      if (failure) throw failure;
      written++;
      // Resolve once ffmpeg's pipe has taken the bytes: backpressure, and the caller may reuse `frame`.
      await new Promise<void>((resolve, reject) => {
        let settled = false;
        const done = (err?: Error | null): void => {
          if (settled) return;
          settled = true;
          child.removeListener('close', onClose);
          if (err) reject(err); else resolve();
        };
        const onClose = (code: number | null, signal: NodeJS.Signals | null): void => done(exitError(code, signal));
        child.once('close', onClose);
        child.stdin.write(frame, (err) => done(err));
      });
    },

    async finish(): Promise<void> {
      if (state !== 'open') throw new Error(`video writer for ${o.output} is already ${state}`);
      state = 'finished';
      child.stdin.end();
      const { code, signal } = await exited;
      if (code !== 0 || failure) {
        await rm(partial, { force: true });
        throw code !== 0 ? exitError(code, signal) : failure ?? exitError(code, signal);
      }
      await rename(partial, o.output);
    },

    async abort(): Promise<void> {
      if (state === 'aborted') return;
      state = 'aborted';
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      // Only the partial file goes: after a successful finish the final file is the caller's.
      await rm(partial, { force: true });
    },
  };
}
