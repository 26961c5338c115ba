/**
 * bench:quality — two measures, each beside the character held still ("frozen") in the same run:
 * 1. limb angles: the pose re-detected in the engine's output, compared limb by limb with the driving
 *    video at the same instants; pose found; jitter;
 * 2. self-reenactment: a video's first frame animated by the video itself and compared with it
 *    (SSIM, PSNR over the person's box and the whole frame; the share of the possible SSIM gain).
 * A pair the engine fails on is listed and counts as the frozen baseline (gain 0), never dropped.
 *   node --import tsx bench/quality.ts [--limbs|--reenact] [--all] [--only <text>] [--threads 2] [--keep <dir>]
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runPipeline } from '../src/engine/pipeline.js';
import { createPoseWorkerPool, type PoseWorkerPool } from '../src/engine/pose/pool.js';
import { detectImagePose } from '../src/engine/pose/image-pose.js';
import { readImageRgba } from '../src/media/image-reader.js';
import { inspectVideoFile } from '../src/media/inspect.js';
import { outputFps } from '../src/engine/output-format.js';
import type { CharacterOrientation } from '../src/domain/orientation.js';
import { errorByOffset, frameError, jitter, torsoFound } from './limb-angles.js';
import { fixturesDir, motionVideos, referenceImages } from './fixtures.js';
import { trackPoses } from './media.js';
import { reenact, TIMING_OFFSETS, type ReenactResult } from './reenact.js';
import { gainShare, mean, summarise, type Outcome } from './scores.js';

const { values } = parseArgs({ options: {
  limbs: { type: 'boolean', default: false }, reenact: { type: 'boolean', default: false },
  all: { type: 'boolean', default: false }, only: { type: 'string' }, threads: { type: 'string', default: '2' },
  keep: { type: 'string' },
} });

const LIMB_PAIRS: [string, string, CharacterOrientation][] = [
  ['person2.jpg', 'dance1_6s.mp4', 'video'],
  ['person2.jpg', 'fitness_turn1_8s.mp4', 'image'],
  ['cartoon1.jpg', 'juggle1_6s.mp4', 'video'],
  ['anime1.png', 'dance1_6s.mp4', 'image'],
  ['drawing1.png', 'fitness_turn1_8s.mp4', 'video'],
];
/** Fixture videos that show one whole person (MANIFEST.tsv). */
const REENACT_VIDEOS = ['dance1_6s.mp4', 'fitness_turn1_8s.mp4', 'juggle1_6s.mp4', 'basketball1.mp4'];

interface LimbRow { pair: string; err: number; frozen: number; found: number; jitter: number; bestOffset: number | null; failed: string | null }

/** The frame offset (output t vs driving t + offset) with the least limb error: 0 when frame-exact. */
function bestOffset(rows: { offset: number; error: number }[]): number | null {
  const ok = rows.filter((r) => Number.isFinite(r.error));
  return ok.length ? ok.reduce((a, b) => (b.error < a.error ? b : a)).offset : null;
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');

async function limbPair(dir: string, [img, vid, orientation]: [string, string, CharacterOrientation], pool: PoseWorkerPool, tmp: string): Promise<LimbRow> {
  const pair = `${img} × ${vid} (${orientation})`;
  const imagePath = path.join(dir, img);
  const videoPath = path.join(dir, vid);
  const info = await inspectVideoFile(videoPath, orientation);
  const fps = outputFps(info.fps);
  // The baseline first: it does not need the engine, so a failing pair still has it.
  const drv = (await trackPoses(videoPath, fps, pool, info.width, info.height)).poses;
  const frozenPose = (await detectImagePose(await readImageRgba(imagePath), pool))?.pose;
  const frozenErrs = drv.filter(torsoFound).map((d) => (frozenPose ? frameError(frozenPose, d) : null)).filter((e): e is number => e !== null);
  const frozen = mean(frozenErrs);
  const out = path.join(tmp, `${path.parse(img).name}-${path.parse(vid).name}-${orientation}.mp4`);
  try {
    const r = await runPipeline({ imagePath, videoPath, outputPath: out, orientation, keepOriginalSound: false }, { pool, onProgress: () => undefined });
    const outPoses = (await trackPoses(out, fps, pool, r.width, r.height)).poses;
    const n = Math.min(drv.length, outPoses.length);
    const errs: number[] = [];
    for (let t = 0; t < n; t++) {
      if (!torsoFound(drv[t])) continue;
      const e = frameError(outPoses[t], drv[t]);
      if (e !== null) errs.push(e);
    }
    const found = outPoses.filter(torsoFound).length / Math.max(1, outPoses.length);
    const jr = jitter(outPoses.slice(0, n)) / Math.max(1e-9, jitter(drv.slice(0, n)));
    return { pair, err: mean(errs), frozen, found, jitter: jr, bestOffset: bestOffset(errorByOffset(outPoses, drv, TIMING_OFFSETS)), failed: null };
  } catch (err) {
    return { pair, err: frozen, frozen, found: 0, jitter: NaN, bestOffset: null, failed: (err as Error).message };
  }
}

function printLimbs(rows: LimbRow[]): void {
  console.log('\n### limb angles\n\npair | limb-angle error ° | frozen ° | ratio | pose found | jitter ratio | best offset');
  console.log('---|---|---|---|---|---|---');
  for (const r of rows) {
    const err = r.failed ? `FAILED (counts as ${f1(r.err)})` : f1(r.err);
    console.log(`${r.pair} | ${err} | ${f1(r.frozen)} | ${Number.isFinite(r.frozen) ? `${(100 * r.err / r.frozen).toFixed(0)}%` : '–'} | ${(100 * r.found).toFixed(1)}% | ${r.jitter.toFixed(2)} | ${r.bestOffset ?? '–'}`);
  }
  // A character the detector cannot read even standing still (a line drawing) has no baseline:
  // it is listed, but the summary is over the characters the detector can measure.
  const measured = rows.filter((r) => Number.isFinite(r.frozen));
  const outcomes: Outcome[] = measured.map((r) => (r.failed ? { pair: r.pair, failed: r.failed, countsAs: r.frozen } : { pair: r.pair, value: r.err }));
  const s = summarise(outcomes);
  const f = mean(measured.map((r) => r.frozen));
  console.log(`**mean (${s.n} measurable pairs)** | **${f1(s.mean)}** | **${f1(f)}** | **${(100 * s.mean / f).toFixed(0)}%** | **${(100 * mean(measured.map((r) => r.found))).toFixed(1)}%** | **${mean(measured.filter((r) => !r.failed).map((r) => r.jitter)).toFixed(2)}**`);
  const unmeasurable = rows.filter((r) => !Number.isFinite(r.frozen)).map((r) => r.failed ? `${r.pair} (also FAILED: ${r.failed})` : r.pair);
  if (unmeasurable.length) console.log(`not measurable (the pose detector finds no body in the reference image itself): ${unmeasurable.join('; ')}`);
  console.log(`limb angles: mean ${f1(s.mean)}°, max ${f1(s.max)}° (${s.maxPair}), ${s.failures.length} failed of ${s.n}${s.failures.length ? `: ${s.failures.join('; ')}` : ''}`);
  console.log(`targets: mean ≤ 10° (${s.mean <= 10 ? 'met' : 'NOT met'}), no pair above 15° (${s.max <= 15 ? 'met' : 'NOT met'}); pose found ≥ 95%; jitter ratio ≤ 1.2`);
}

function printReenact(rows: ReenactResult[]): void {
  console.log('\n### self-reenactment (first frame animated by its own video, `video` orientation)\n');
  console.log('video | frames (in box) | SSIM box | frozen | gain | SSIM frame | frozen | gain | PSNR box dB | frozen | PSNR frame dB | frozen | limb error ° | best offset');
  console.log('---|---|---|---|---|---|---|---|---|---|---|---|---|---');
  const outcomes: Outcome[] = [];
  for (const r of rows) {
    const o = r.output;
    const gain = o ? gainShare(o.ssimBox, r.frozen.ssimBox) : 0;
    const gainFrame = o ? gainShare(o.ssimFrame, r.frozen.ssimFrame) : 0;
    outcomes.push(r.error ? { pair: r.video, failed: r.error, countsAs: 0 } : { pair: r.video, value: gain });
    const cell = (v: number | undefined, frozen: number, fmt: (x: number) => string) => (o ? fmt(v!) : `FAILED (${fmt(frozen)})`);
    console.log(`${r.video} | ${r.frames} (${r.boxFrames}) | ${cell(o?.ssimBox, r.frozen.ssimBox, f3)} | ${f3(r.frozen.ssimBox)} | ${gain.toFixed(3)} | ` +
      `${cell(o?.ssimFrame, r.frozen.ssimFrame, f3)} | ${f3(r.frozen.ssimFrame)} | ${gainFrame.toFixed(3)} | ` +
      `${cell(o?.psnrBox, r.frozen.psnrBox, f1)} | ${f1(r.frozen.psnrBox)} | ${cell(o?.psnrFrame, r.frozen.psnrFrame, f1)} | ${f1(r.frozen.psnrFrame)} | ` +
      `${f1(r.timing?.find((x) => x.offset === 0)?.error ?? NaN)} | ${r.timing ? bestOffset(r.timing) : '–'}`);
    if (r.frameCounts) console.log(`  ${r.video}: output has ${r.frameCounts.output} frames, the driving video ${r.frameCounts.driving} on the same grid`);
  }
  const s = summarise(outcomes);
  const ok = rows.filter((r) => r.output);
  console.log(`self-reenactment: mean gain ${f3(s.mean)} over ${s.n} videos (min ${f3(Math.min(...outcomes.map((o) => ('failed' in o ? o.countsAs : o.value))))}), ` +
    `mean SSIM box ${f3(mean(ok.map((r) => r.output!.ssimBox)))} vs frozen ${f3(mean(ok.map((r) => r.frozen.ssimBox)))}, ` +
    `${s.failures.length} failed${s.failures.length ? `: ${s.failures.join('; ')}` : ''}`);
  console.log('best offset: the frame offset at which the output best matches the driving video by limb angles (0 = frame-exact; +1 = one frame early)');
  console.log(`target: mean gain ≥ 0.2 (${s.mean >= 0.2 ? 'met' : 'NOT met'}); gain = (SSIM − SSIM frozen) / (1 − SSIM frozen) over the person's box`);
}

async function main(): Promise<void> {
  const dir = fixturesDir();
  if (!dir) { console.log('bench:quality skipped: ../shared/fixtures not found'); return; }
  const both = !values.limbs && !values.reenact;
  const limbPairs: [string, string, CharacterOrientation][] = values.all
    ? (await referenceImages()).flatMap((img) => motionVideos().flatMap((v) => (['video', 'image'] as const)
      .filter((o) => o === 'video' || v.durationS <= 10).map((o) => [img, v.name, o] as [string, string, CharacterOrientation])))
    : LIMB_PAIRS;
  const pick = <T>(xs: T[], key: (x: T) => string) => (values.only ? xs.filter((x) => key(x).includes(values.only!)) : xs);
  const pool = await createPoseWorkerPool({ threads: Number(values.threads) });
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'marionette-quality-'));
  try {
    if (both || values.limbs) {
      const rows: LimbRow[] = [];
      for (const p of pick(limbPairs, (x) => x.join(' '))) rows.push(await limbPair(dir, p, pool, tmp));
      printLimbs(rows);
    }
    if (both || values.reenact) {
      const rows: ReenactResult[] = [];
      for (const v of pick(REENACT_VIDEOS, (x) => x)) rows.push(await reenact(path.join(dir, v), pool, tmp));
      printReenact(rows);
    }
    if (values.keep) {
      await mkdir(values.keep, { recursive: true });
      for (const f of await readdir(tmp)) await copyFile(path.join(tmp, f), path.join(values.keep, f));
      console.log(`outputs kept in ${values.keep}`);
    }
  } finally {
    await pool.close();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
