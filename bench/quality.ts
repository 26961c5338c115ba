/**
 * bench:quality — re-detect the pose in the engine's output and compare each limb's image-plane
 * angle with the driving video's at the same instant; beside it the "frozen" baseline (the
 * reference image held still), the share of output frames where a body is found, and jitter.
 *   node --import tsx bench/quality.ts [--all] [--only <text in the pair's name>] [--threads 2]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { InProcessEngine } from '../src/engine/in-process.js';
import { createPoseWorkerPool, type PoseWorkerPool } from '../src/engine/pose/pool.js';
import { trackVideoPoses } from '../src/engine/pose/track.js';
import { detectImagePose } from '../src/engine/pose/image-pose.js';
import { readVideoFrames } from '../src/media/video-reader.js';
import { readImageRgba } from '../src/media/image-reader.js';
import { inspectVideoFile } from '../src/media/inspect.js';
import { analysisSize, outputFps } from '../src/engine/output-format.js';
import type { Pose, RasterImage } from '../src/engine/types.js';
import type { CharacterOrientation } from '../src/domain/orientation.js';
import { frameError, jitter, torsoFound } from './limb-angles.js';
import { fixturesDir, motionVideos, referenceImages } from './fixtures.js';

const { values } = parseArgs({ options: { all: { type: 'boolean', default: false }, only: { type: 'string' }, threads: { type: 'string', default: '2' } } });

const DEFAULT_PAIRS: [string, string, CharacterOrientation][] = [
  ['person2.jpg', 'dance1_6s.mp4', 'video'],
  ['person2.jpg', 'fitness_turn1_8s.mp4', 'image'],
  ['cartoon1.jpg', 'juggle1_6s.mp4', 'video'],
  ['anime1.png', 'dance1_6s.mp4', 'image'],
  ['drawing1.png', 'fitness_turn1_8s.mp4', 'video'],
];

async function* raster(frames: AsyncIterable<Uint8Array>, width: number, height: number): AsyncIterable<RasterImage> {
  for await (const data of frames) yield { width, height, channels: 3, data };
}

async function track(file: string, fps: number, pool: PoseWorkerPool, w: number, h: number): Promise<Pose[]> {
  const size = analysisSize(w, h);
  const t = await trackVideoPoses(raster(readVideoFrames({ input: file, width: size.width, height: size.height, fps }), size.width, size.height), pool, { fps });
  return t.poses;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

async function main(): Promise<void> {
  const dir = fixturesDir();
  if (!dir) { console.log('bench:quality skipped: ../shared/fixtures not found'); return; }
  const pairs: [string, string, CharacterOrientation][] = values.all
    ? (await referenceImages()).flatMap((img) => motionVideos().flatMap((v) => (['video', 'image'] as const)
      .filter((o) => o === 'video' || v.durationS <= 10).map((o) => [img, v.name, o] as [string, string, CharacterOrientation])))
    : DEFAULT_PAIRS;
  const chosen = values.only ? pairs.filter((p) => p.join(' ').includes(values.only!)) : pairs;
  const threads = Number(values.threads);
  const engine = new InProcessEngine(threads);
  const pool = await createPoseWorkerPool({ threads });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'marionette-quality-'));
  const rows: { pair: string; err: number; frozen: number; found: number; jitter: number }[] = [];
  try {
    for (const [img, vid, orientation] of chosen) {
      const imagePath = path.join(dir, img);
      const videoPath = path.join(dir, vid);
      const out = path.join(tmp, `${path.parse(img).name}-${path.parse(vid).name}-${orientation}.mp4`);
      const info = await inspectVideoFile(videoPath, orientation);
      const fps = outputFps(info.fps);
      try {
        const r = await engine.animate({ imagePath, videoPath, outputPath: out, orientation, keepOriginalSound: false }, () => undefined);
        const drv = await track(videoPath, fps, pool, info.width, info.height);
        const outPoses = await track(out, fps, pool, r.width, r.height);
        const frozenPose = (await detectImagePose(await readImageRgba(imagePath), pool))?.pose;
        const n = Math.min(drv.length, outPoses.length);
        const errs: number[] = [];
        const frozenErrs: number[] = [];
        for (let t = 0; t < n; t++) {
          if (!torsoFound(drv[t])) continue;
          const e = frameError(outPoses[t], drv[t]);
          if (e !== null) errs.push(e);
          const f = frozenPose ? frameError(frozenPose, drv[t]) : null;
          if (f !== null) frozenErrs.push(f);
        }
        const found = outPoses.filter(torsoFound).length / Math.max(1, outPoses.length);
        const jr = jitter(outPoses.slice(0, n)) / Math.max(1e-9, jitter(drv.slice(0, n)));
        rows.push({ pair: `${img} × ${vid} (${orientation})`, err: mean(errs), frozen: mean(frozenErrs), found, jitter: jr });
      } catch (err) {
        console.log(`${img} × ${vid} (${orientation}): FAILED ${(err as Error).message}`);
      }
    }
  } finally {
    await engine.close();
    await pool.close();
    await rm(tmp, { recursive: true, force: true });
  }
  console.log('\npair | limb-angle error ° | frozen baseline ° | ratio | pose found | jitter ratio');
  console.log('---|---|---|---|---|---');
  for (const r of rows) {
    console.log(`${r.pair} | ${r.err.toFixed(1)} | ${r.frozen.toFixed(1)} | ${(100 * r.err / r.frozen).toFixed(0)}% | ${(100 * r.found).toFixed(1)}% | ${r.jitter.toFixed(2)}`);
  }
  // A character the detector cannot read even standing still (a line drawing) has no baseline:
  // it is listed, but the means are over the characters the detector can measure.
  const measured = rows.filter((r) => Number.isFinite(r.frozen));
  const skipped = rows.filter((r) => !Number.isFinite(r.frozen)).map((r) => r.pair);
  const e = mean(measured.map((r) => r.err)), f = mean(measured.map((r) => r.frozen));
  console.log(`**mean (${measured.length} measurable pairs)** | **${e.toFixed(1)}** | **${f.toFixed(1)}** | **${(100 * e / f).toFixed(0)}%** | **${(100 * mean(measured.map((r) => r.found))).toFixed(1)}%** | **${mean(measured.map((r) => r.jitter)).toFixed(2)}**`);
  if (skipped.length) console.log(`not measurable (the pose detector finds no body in the reference image itself): ${skipped.join('; ')}`);
  console.log('targets: error ≤ 12° and ≤ 40% of frozen; pose found ≥ 95%; jitter ratio ≤ 1.2');
}

await main();
