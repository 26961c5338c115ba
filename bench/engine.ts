/**
 * bench:engine — wall and CPU seconds per second of output, per stage and in total, and peak RSS,
 * for a 720p output from a ~10 s clip; beside it, in the same run, ffmpeg alone decoding the input
 * and encoding the same number of frames (the floor). Then peak RSS for a 30 s 1080p input.
 * Wall time depends on what else the machine runs (the load average is printed); CPU time much less.
 *   node --import tsx bench/engine.ts
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { InProcessEngine } from '../src/engine/in-process.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { inspectVideoFile } from '../src/media/inspect.js';
import { outputFps } from '../src/engine/output-format.js';
import type { AnimateResult } from '../src/engine/types.js';
import type { CharacterOrientation } from '../src/domain/orientation.js';
import { fixturesDir } from './fixtures.js';

interface ChildReport { result: AnimateResult; maxRssMB: number }

/** One engine run in a fresh process, so its peak RSS is its own. */
async function runChild(image: string, video: string, out: string, orientation: CharacterOrientation): Promise<ChildReport> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', self, '--child', image, video, out, orientation], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.on('exit', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code === 0) resolve(JSON.parse(line) as ChildReport);
      else reject(new Error(`engine run failed (${code}): ${stdout}`));
    });
  });
}

async function child(image: string, video: string, out: string, orientation: CharacterOrientation): Promise<void> {
  const engine = new InProcessEngine(2);
  const result = await engine.animate({ imagePath: image, videoPath: video, outputPath: out, orientation, keepOriginalSound: true }, () => undefined);
  await engine.close();
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ result, maxRssMB })}\n`);
}

/** ffmpeg alone: decode the clip on the output grid and encode the same frames at 720p. */
async function floorSeconds(video: string, fps: number, frames: number, out: string): Promise<number> {
  const t0 = performance.now();
  await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-y', '-i', video, '-vf', `fps=${fps},scale=-2:720`,
    '-frames:v', String(frames), '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', out]);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const dir = fixturesDir();
  if (!dir) { console.log('bench:engine skipped: ../shared/fixtures not found'); return; }
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'marionette-bench-'));
  try {
    const image = path.join(dir, 'person2.jpg');
    const video = path.join(dir, 'fitness_turn1.mp4');
    const info = await inspectVideoFile(video, 'video');
    console.log(`load average before the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} cores)`);
    const r = await runChild(image, video, path.join(tmp, 'out10.mp4'), 'video');
    const floor = await floorSeconds(video, outputFps(info.fps), r.result.frameCount, path.join(tmp, 'floor.mp4'));
    const secs = r.result.durationS;
    console.log(`\nengine: person2.jpg × fitness_turn1.mp4 (${info.width}x${info.height}, ${secs.toFixed(2)} s) → ${r.result.width}x${r.result.height}, ${r.result.frameCount} frames`);
    const cpu = r.result.cpu ?? {};
    console.log('stage | wall s | wall s per output s | CPU s | what the CPU figure counts');
    console.log('---|---|---|---|---');
    const what: Record<string, string> = {
      probe: 'probe and image decode', character: 'the character analysis thread (its model calls count under motion)',
      motion: 'pose workers and the main thread while the character is analysed', retarget: 'retargeting',
      render: 'deform and rasterise (the render threads) and the main thread feeding ffmpeg', total: 'this process and its ffmpeg children',
    };
    for (const [k, v] of Object.entries(r.result.timings)) {
      const c = cpu[k as keyof typeof cpu];
      console.log(`${k} | ${v!.toFixed(2)} | ${(v! / secs).toFixed(3)} | ${c === undefined ? '' : c.toFixed(2)} | ${what[k] ?? ''}`);
    }
    if (cpu.decode !== undefined) console.log(`(ffmpeg decode, during motion) | | | ${cpu.decode.toFixed(2)} | ffmpeg decoding the video for the pose models`);
    if (cpu.encode !== undefined) console.log(`(ffmpeg encode, during render) | | | ${cpu.encode.toFixed(2)} | ffmpeg encoding the output (and its audio)`);
    console.log(`ffmpeg floor (decode + encode ${r.result.frameCount} frames at 720p) | ${floor.toFixed(2)} | ${(floor / secs).toFixed(3)}`);
    console.log(`peak RSS (engine process; ffmpeg children excluded) | ${r.maxRssMB.toFixed(0)} MB |`);
    console.log(`load average after the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log('targets: total ≤ 1.2 s per output second, peak RSS ≤ 1.5 GB');

    // A 30 s 1080p input (the clip looped), kept under the 10 MB input limit.
    const long = path.join(tmp, 'long1080.mp4');
    await runFfmpeg(['-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '2', '-i', video, '-t', '30', '-vf', 'scale=1920:1080',
      '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '2200k', '-maxrate', '2500k', '-bufsize', '5000k', '-c:a', 'aac', long]);
    const r30 = await runChild(image, long, path.join(tmp, 'out30.mp4'), 'video');
    console.log(`\n30 s 1080p input → ${r30.result.width}x${r30.result.height}, ${r30.result.frameCount} frames: total ${r30.result.timings.total!.toFixed(1)} s (${(r30.result.timings.total! / r30.result.durationS).toFixed(3)} s per output s), CPU ${r30.result.cpu?.total?.toFixed(1) ?? '?'} s, peak RSS ${r30.maxRssMB.toFixed(0)} MB (target ≤ 1.5 GB)`);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await child(argv[1], argv[2], argv[3], argv[4] as CharacterOrientation);
else await main();
