/** Test/bench media for the pose tests: decode images and videos to raw RGB with ffmpeg (spawned here). */
import { spawn, execFileSync } from 'node:child_process';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RasterImage } from '../../src/engine/types.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const FIXTURES = path.resolve(repo, '../shared/fixtures');
export const fixturesPresent = existsSync(path.join(FIXTURES, 'MANIFEST.tsv'));
export const fixture = (name: string): string => path.join(FIXTURES, name);

export function probeSize(file: string): { width: number; height: number } {
  const out = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height',
    '-of', 'csv=p=0', file], { encoding: 'utf8' });
  const [width, height] = out.trim().split(',').map(Number);
  return { width, height };
}

/** A still image decoded to RGB, scaled so its long side is at most `maxSide`. */
export function decodeImage(file: string, maxSide = 0): RasterImage {
  let { width, height } = probeSize(file);
  const args = ['-v', 'error', '-i', file];
  if (maxSide > 0 && Math.max(width, height) > maxSide) {
    const f = maxSide / Math.max(width, height);
    width = Math.round(width * f / 2) * 2;
    height = Math.round(height * f / 2) * 2;
    args.push('-vf', `scale=${width}:${height}`);
  }
  args.push('-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  const data = execFileSync('ffmpeg', args, { maxBuffer: 1 << 28 });
  return { width, height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Video frames as RGB at width×height and fps, for the first `seconds`, read as they are decoded. */
export async function* decodeVideo(file: string, o: { width: number; height: number; fps: number; seconds?: number }):
  AsyncGenerator<RasterImage> {
  const args = ['-v', 'error', '-i', file];
  if (o.seconds !== undefined) args.push('-t', String(o.seconds));
  args.push('-vf', `fps=${o.fps},scale=${o.width}:${o.height}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const frameBytes = o.width * o.height * 3;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= frameBytes) {
        yield { width: o.width, height: o.height, channels: 3, data: new Uint8Array(pending.subarray(0, frameBytes)) };
        pending = pending.subarray(frameBytes);
      }
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** The size with the short side `short` (even numbers), keeping the aspect ratio of `file`. */
export function scaledSize(file: string, short: number): { width: number; height: number } {
  const { width, height } = probeSize(file);
  const f = short / Math.min(width, height);
  return { width: Math.round(width * f / 2) * 2, height: Math.round(height * f / 2) * 2 };
}
