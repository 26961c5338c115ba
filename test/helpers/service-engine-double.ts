/**
 * A MotionEngine test double: it does not animate anything, but it really encodes a valid H.264 MP4 from its
 * inputs with ffmpeg (the still image, for the reference video's duration, with its audio when asked), and
 * reports progress in steps. Options make it slow, hang until aborted, or fail.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AnimateRequest, AnimateResult, EngineProgress, MotionEngine } from '../../src/engine/types.js';

const run = promisify(execFile);

export interface EngineDoubleOptions {
  /** Wait this long (ms) between progress steps. */
  stepDelayMs?: number;
  /** Never finish (until aborted). */
  hang?: boolean;
  /** Reject with this after the first progress step. */
  failWith?: Error;
}

export class FfmpegEngineDouble implements MotionEngine {
  readonly requests: AnimateRequest[] = [];
  readonly progress: EngineProgress[] = [];

  constructor(private readonly o: EngineDoubleOptions = {}) {}

  ready(): Promise<void> { return Promise.resolve(); }
  close(): Promise<void> { return Promise.resolve(); }

  async animate(req: AnimateRequest, onProgress: (p: EngineProgress) => void, signal?: AbortSignal): Promise<AnimateResult> {
    this.requests.push(req);
    const report = (p: EngineProgress) => { this.progress.push(p); onProgress(p); };
    const wait = (ms: number) => new Promise<void>((resolve, reject) => {
      const t = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')); }, { once: true });
    });
    report({ stage: 'probe', fraction: 0.05 });
    const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', req.videoPath]);
    const durationS = Number(stdout.trim());
    if (this.o.failWith) throw this.o.failWith;
    if (this.o.hang) { await wait(3_600_000); }
    for (const [stage, fraction] of [['character', 0.2], ['motion', 0.5], ['retarget', 0.6]] as const) {
      if (this.o.stepDelayMs) await wait(this.o.stepDelayMs);
      report({ stage, fraction, etaSeconds: 3 });
    }
    const fps = 15;
    const args = ['-hide_banner', '-loglevel', 'error', '-y', '-loop', '1', '-framerate', String(fps), '-i', req.imagePath, '-i', req.videoPath,
      '-t', durationS.toFixed(3), '-map', '0:v:0'];
    if (req.keepOriginalSound) args.push('-map', '1:a:0?', '-c:a', 'aac');
    args.push('-vf', 'scale=trunc(iw/4)*2:trunc(ih/4)*2', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', req.outputPath);
    await run('ffmpeg', args, { signal, timeout: 60_000 });
    report({ stage: 'render', fraction: 1, etaSeconds: 0 });
    return { outputPath: req.outputPath, width: 0, height: 0, fps, frameCount: Math.round(durationS * fps), durationS, hasAudio: req.keepOriginalSound, timings: {} };
  }
}
