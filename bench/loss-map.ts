/**
 * Where a self-reenactment loses (a developer's diagnostic): the output beside the driving video,
 * frame by frame, split into positions where the video is still and where it moves (loss-split.ts),
 * and a heat map over the first frame of how far the output falls short of frozen where the video
 * is still (red: a mean loss of 0.25 or more).
 *   node --import tsx bench/quality.ts --reenact --only dance1 --keep /tmp/k
 *   node --import tsx bench/loss-map.ts --video V --output /tmp/k/V-reenact.mp4 -o map.png
 */
import { parseArgs } from 'node:util';
import { outputFps } from '../src/engine/output-format.js';
import { writePng } from '../src/media/image-reader.js';
import { inspectVideoFile } from '../src/media/inspect.js';
import { readVideoFrames } from '../src/media/video-reader.js';
import { addSplit, emptySums, splitFigures } from './loss-split.js';
import { inStep } from './media.js';
import { lumaOf, prepareLuma, ssimMap, WINDOW, type PreparedLuma } from './ssim.js';

const { values } = parseArgs({ options: { video: { type: 'string' }, output: { type: 'string' }, o: { type: 'string' } } });
if (!values.video || !values.output || !values.o) {
  console.error('usage: loss-map.ts --video <driving.mp4> --output <reenact.mp4> -o <map.png>');
  process.exit(2);
}
const out = await inspectVideoFile(values.output, 'video');
const fps = outputFps((await inspectVideoFile(values.video, 'video')).fps);
const { width, height } = out;
const read = (input: string) => readVideoFrames({ input, width, height, fps });
const mapW = width - (WINDOW - 1), mapH = height - (WINDOW - 1);
const loss = new Float64Array(mapW * mapH);
const sums = emptySums();
let first: PreparedLuma | null = null;
let frames = 0;
for await (const [drv, res] of inStep(read(values.video), read(values.output))) {
  if (!res) break;
  const d = prepareLuma(lumaOf(drv, width, height));
  first ??= d;
  addSplit(sums, ssimMap(lumaOf(res, width, height), d), ssimMap(first, d), loss);
  frames++;
}
if (!first) throw new Error('no frames decoded');
const f = splitFigures(sums);
console.log(`${frames} frames at ${width}x${height}`);
console.log(`still (frozen ≥ 0.9): ${(100 * f.still.share).toFixed(1)}% of positions, output ${f.still.out.toFixed(4)}, frozen ${f.still.frozen.toFixed(4)}`);
console.log(`moving (frozen < 0.3): ${(100 * f.moving.share).toFixed(1)}% of positions, output ${f.moving.out.toFixed(4)}, frozen ${f.moving.frozen.toFixed(4)}`);
// Heat map: the first frame dimmed, red by the mean loss (map position (i, j) is the window centred on pixel (i + 5, j + 5)).
const rgb = new Uint8Array(width * height * 3);
const r = (WINDOW - 1) / 2;
for (let y = 0; y < height; y++) {
  for (let x = 0; x < width; x++) {
    const p = y * width + x;
    const inside = x >= r && y >= r && x < width - r && y < height - r;
    const l = inside ? Math.min(1, (4 * loss[(y - r) * mapW + (x - r)]) / frames) : 0;
    const g = 0.4 * first.image.data[p];
    rgb[3 * p] = Math.min(255, g + 255 * l); rgb[3 * p + 1] = g; rgb[3 * p + 2] = g;
  }
}
await writePng(values.o, { width, height, channels: 3, data: rgb });
console.log(`map written to ${values.o}`);
