/** Decoded video frames, streamed from ffmpeg at a constant frame rate. */
import { FfmpegError, spawnFfmpeg, stderrTail } from './ffmpeg.js';
import { decodeVideoArgs } from './ffmpeg-args.js';

export interface ReadVideoOptions {
  input: string; width: number; height: number; fps: number; pixFmt?: 'rgb24'; signal?: AbortSignal;
  /** Only frames 0, n, 2n, … of the `fps` grid. */
  everyNth?: number;
}

const STDERR_KEEP = 16 * 1024;

async function* frames(o: ReadVideoOptions): AsyncGenerator<Uint8Array> {
  o.signal?.throwIfAborted();
  const frameSize = o.width * o.height * 3;
  const child = spawnFfmpeg(decodeVideoArgs({ input: o.input, width: o.width, height: o.height, fps: o.fps, pixFmt: o.pixFmt ?? 'rgb24', everyNth: o.everyNth }));
  let stderr = '';
  let spawnError: Error | null = null;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => { stderr = (stderr + s).slice(-STDERR_KEEP); });
  child.stdin.on('error', () => undefined);
  child.stdin.end();
  child.on('error', (err) => { spawnError = err; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const onAbort = (): void => { child.kill('SIGKILL'); };
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let finished = false;
  try {
    // Each yielded frame is a fresh buffer: consumers may keep it.
    let frame = new Uint8Array(frameSize);
    let filled = 0;
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(frameSize - filled, chunk.length - at);
        frame.set(chunk.subarray(at, at + n), filled);
        filled += n;
        at += n;
        if (filled === frameSize) {
          yield frame;
          frame = new Uint8Array(frameSize);
          filled = 0;
        }
      }
    }
    const { code, signal } = await exited;
    o.signal?.throwIfAborted();
    if (spawnError) throw new FfmpegError(`ffmpeg could not be started: ${(spawnError as Error).message}`, null, '');
    if (code !== 0) {
      throw new FfmpegError(`decoding ${o.input} failed (${code === null ? `signal ${signal}` : `exit code ${code}`}): ${stderrTail(stderr)}`, code, stderr);
    }
    if (filled !== 0) throw new FfmpegError(`decoding ${o.input} ended inside a frame (${filled} of ${frameSize} bytes)`, code, stderr);
    finished = true;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    // The consumer stopped early (break/throw) or we failed: do not leave ffmpeg running.
    if (!finished && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }
}

/**
 * Exact frame-size chunks (width × height × 3 bytes, rgb24) at a constant `fps` grid; rejects with
 * ffmpeg's own words when decoding fails, and kills ffmpeg when the consumer stops early.
 */
export function readVideoFrames(o: ReadVideoOptions): AsyncIterable<Uint8Array> {
  return frames(o);
}
