/**
 * bench:sheet — contact sheets: for a pair, a few instants, the driving frame beside the output
 * frame at the same instant (frame-exact: both decoded on the output's frame grid), labelled.
 *   node --import tsx bench/sheet.ts --image I --video V [--orientation video|image] [--output existing.mp4] -o sheet.jpg
 *   node --import tsx bench/sheet.ts --readme      # the README's sheets, into docs/images/
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { runPipeline } from '../src/engine/pipeline.js';
import { createPoseWorkerPool, type PoseWorkerPool } from '../src/engine/pose/pool.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { fileArg } from '../src/media/ffmpeg-args.js';
import { inspectVideoFile } from '../src/media/inspect.js';
import { readVideoFrames } from '../src/media/video-reader.js';
import { outputFps } from '../src/engine/output-format.js';
import type { CharacterOrientation } from '../src/domain/orientation.js';
import { fixturesDir } from './fixtures.js';
import { inStep } from './media.js';
import { instantsOf, layoutSheet, pasteRgb, sheetJpegArgs, type TileSize } from './sheet-layout.js';

const FRACTIONS = [0.12, 0.37, 0.62, 0.87];

export interface SheetRequest { image: string; video: string; orientation: CharacterOrientation; sheet: string; output?: string; title?: string }

function tileOf(width: number, height: number): TileSize {
  const h = height > width ? 320 : 200;
  return { width: 2 * Math.round((width * h) / height / 2), height: h };
}

export async function makeSheet(req: SheetRequest, pool: () => Promise<PoseWorkerPool>, tmp: string): Promise<void> {
  const info = await inspectVideoFile(req.video, req.orientation);
  const fps = outputFps(info.fps);
  let output = req.output;
  if (!output) {
    output = path.join(tmp, `${path.parse(req.sheet).name}.mp4`);
    await runPipeline({ imagePath: req.image, videoPath: req.video, outputPath: output, orientation: req.orientation, keepOriginalSound: false }, { pool: await pool(), onProgress: () => undefined });
  }
  const out = await inspectVideoFile(output, 'video');
  const frames = Math.round(out.durationS * fps);
  const at = instantsOf(frames, FRACTIONS);
  const dTile = tileOf(info.width, info.height), oTile = tileOf(out.width, out.height);
  const layout = layoutSheet(at.length, dTile, oTile);
  const canvas = new Uint8Array(layout.width * layout.height * 3).fill(24);
  const labels = [{ text: req.title ?? `${path.basename(req.image)} × ${path.basename(req.video)} (${req.orientation} orientation) - driving | output`, x: 6, y: 6, size: 17 }];
  const read = (input: string, t: TileSize) => readVideoFrames({ input, width: t.width, height: t.height, fps });
  let t = 0, k = 0;
  for await (const [drv, res] of inStep(read(req.video, dTile), read(output, oTile))) {
    if (t === at[k]) {
      const p = layout.pairs[k];
      pasteRgb(canvas, layout.width, drv, p.driving);
      pasteRgb(canvas, layout.width, res!, p.output);
      labels.push({ text: `t ${(t / fps).toFixed(2)} s`, x: p.driving.x + 4, y: p.driving.y + 4, size: 14 });
      labels.push({ text: 'output', x: p.output.x + 4, y: p.output.y + 4, size: 14 });
      if (++k === at.length) break;
    }
    t++;
  }
  if (k < at.length) throw new Error(`${output}: only ${t} frames on the ${fps} fps grid, wanted frame ${at[k]}`);
  await runFfmpeg(sheetJpegArgs({ output: req.sheet, width: layout.width, height: layout.height, labels }), { stdin: Buffer.from(canvas.buffer) });
  console.log(`${req.sheet}: ${layout.width}x${layout.height}, frames ${at.join(', ')} of ${frames} (${at.map((i) => (i / fps).toFixed(2)).join(', ')} s)`);
}

/** The README's sheets: a photo, a drawing, a half-body character, and a self-reenactment. */
function readmeSheets(dir: string, images: string, firstFrame: string): SheetRequest[] {
  return [
    { image: path.join(dir, 'person2.jpg'), video: path.join(dir, 'dance1_6s.mp4'), orientation: 'video', sheet: path.join(images, 'sheet-photo.jpg') },
    { image: path.join(dir, 'drawing3.png'), video: path.join(dir, 'juggle1_6s.mp4'), orientation: 'video', sheet: path.join(images, 'sheet-drawing.jpg') },
    { image: path.join(dir, 'cartoon1.jpg'), video: path.join(dir, 'fitness_turn1_8s.mp4'), orientation: 'video', sheet: path.join(images, 'sheet-half-body.jpg') },
    { image: firstFrame, video: path.join(dir, 'dance1_6s.mp4'), orientation: 'video', sheet: path.join(images, 'sheet-reenact.jpg'),
      title: 'self-reenactment - first frame of dance1_6s.mp4 × dance1_6s.mp4 - driving | output' },
  ];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    readme: { type: 'boolean', default: false }, image: { type: 'string' }, video: { type: 'string' },
    orientation: { type: 'string', default: 'video' }, output: { type: 'string' }, o: { type: 'string' }, only: { type: 'string' },
  } });
  const dir = fixturesDir();
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'marionette-sheet-'));
  const lazy: { pool: Promise<PoseWorkerPool> | null } = { pool: null };
  const pool = () => (lazy.pool ??= createPoseWorkerPool({ threads: 2 }));
  try {
    let requests: SheetRequest[];
    if (values.readme) {
      if (!dir) { console.log('bench:sheet skipped: ../shared/fixtures not found'); return; }
      const first = path.join(tmp, 'dance1_6s-first.png');
      await runFfmpeg(['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', fileArg(path.join(dir, 'dance1_6s.mp4')), '-frames:v', '1', fileArg(first)]);
      const images = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/images');
      await mkdir(images, { recursive: true });
      requests = readmeSheets(dir, images, first).filter((r) => !values.only || r.sheet.includes(values.only));
    } else {
      if (!values.image || !values.video || !values.o) throw new Error('usage: sheet.ts --image I --video V [--orientation video|image] [--output out.mp4] -o sheet.jpg');
      const orientation = values.orientation === 'image' ? 'image' : 'video';
      requests = [{ image: values.image, video: values.video, orientation, sheet: values.o, output: values.output }];
    }
    for (const r of requests) await makeSheet(r, pool, tmp);
  } finally {
    if (lazy.pool) await (await lazy.pool).close();
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
