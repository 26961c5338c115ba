/** Test media made on the spot with ffmpeg's lavfi sources (no fixtures needed). */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { timeout: 60_000 });
}

export async function ffprobe(file: string): Promise<{ streams: { codec_type: string; codec_name: string; width?: number; height?: number; pix_fmt?: string }[]; format: { duration: string; format_name: string } }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file], { timeout: 30_000 });
  return JSON.parse(stdout) as Awaited<ReturnType<typeof ffprobe>>;
}

export async function makePng(dir: string, name = 'image.png', size = '480x640'): Promise<string> {
  const out = path.join(dir, name);
  await ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=${size}`, '-frames:v', '1', out]);
  return out;
}

/** H.264 MP4 with a sine audio track. */
export async function makeMp4(dir: string, o: { name?: string; size?: string; seconds?: number; fps?: number; audio?: boolean } = {}): Promise<string> {
  const out = path.join(dir, o.name ?? 'video.mp4');
  const seconds = o.seconds ?? 4;
  const args = ['-f', 'lavfi', '-i', `testsrc2=size=${o.size ?? '640x360'}:rate=${o.fps ?? 15}:duration=${seconds}`];
  if (o.audio ?? true) args.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac', '-b:a', '64k');
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-t', String(seconds), out);
  await ffmpeg(args);
  return out;
}

export async function makeAvi(dir: string): Promise<string> {
  const out = path.join(dir, 'clip.avi');
  await ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15:duration=4', '-c:v', 'mjpeg', out]);
  return out;
}

export async function makeTextNamedMp4(dir: string): Promise<string> {
  const out = path.join(dir, 'notes.mp4');
  await writeFile(out, 'this is not a video, just some text\n'.repeat(50));
  return out;
}

/** ~`mb` MB PNG of noise (does not compress), for the body-size and latency benches. */
export async function makeNoisePng(dir: string, mb: number): Promise<string> {
  const out = path.join(dir, `noise-${mb}.png`);
  // RGB noise compresses to ~3 bytes/pixel.
  const side = Math.floor(Math.sqrt((mb * 1024 * 1024) / 3.05));
  await ffmpeg(['-f', 'lavfi', '-i', `nullsrc=size=${side}x${side},geq=random(1)*255:128+random(2)*40:random(3)*255`, '-frames:v', '1', out]);
  return out;
}
