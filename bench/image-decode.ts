/**
 * bench:decode — peak RSS of decoding a 7000×7000 PNG (a small file, under the 50 MP cap) as the engine does:
 * at its working size (ffmpeg scales while decoding) beside whole (the old path: 196 MB of RGBA, then resized).
 * Each decode runs in a fresh Node process so its peak is its own; ffmpeg's own memory is a separate process.
 *   npm run build && node --import tsx bench/image-decode.ts
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { MAX_CHARACTER_PIXELS } from '../src/engine/character.js';
import { readImageRgba } from '../src/media/image-reader.js';

const run = promisify(execFile);
const { values: args } = parseArgs({ options: { child: { type: 'string' }, max: { type: 'string' } } });

if (args.child) {
  const img = await readImageRgba(args.child, args.max === 'none' ? {} : { maxPixels: Number(args.max) });
  process.stdout.write(JSON.stringify({ width: img.width, height: img.height, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
} else {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-bench-decode-'));
  try {
    const png = path.join(dir, 'huge.png');
    await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0xcc6633:s=3500x7000', '-f', 'lavfi', '-i', 'color=c=0x3366cc:s=3500x7000',
      '-filter_complex', 'hstack,drawgrid=w=250:h=250:t=9:c=white', '-frames:v', '1', png], { timeout: 120_000 });
    const kb = Math.round((await stat(png)).size / 1024);
    const self = fileURLToPath(import.meta.url);
    const measure = async (max: string) => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', self, '--child', png, '--max', max], { timeout: 120_000, maxBuffer: 1 << 20 });
      return JSON.parse(stdout) as { width: number; height: number; maxRssMb: number };
    };
    const scaled = await measure(String(MAX_CHARACTER_PIXELS));
    const whole = await measure('none');
    const rows = [
      ['decode of a 7000x7000 PNG', `file ${kb} KB`],
      [`at the working size (${MAX_CHARACTER_PIXELS / 1e6} MP)`, `${scaled.width}x${scaled.height}, peak RSS ${scaled.maxRssMb.toFixed(0)} MB`],
      ['whole (the decode before this change)', `${whole.width}x${whole.height}, peak RSS ${whole.maxRssMb.toFixed(0)} MB`],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    for (const [a, b] of rows) process.stdout.write(`${a.padEnd(w)}  ${b}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
