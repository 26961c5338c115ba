/**
 * bench:plate — seconds to make the clean plate (exemplar inpainting of the character's hole) for
 * each fixture reference image, at the size the engine analyses it (≤ 3 MP), on one core.
 *   node --import tsx bench/plate.ts [--out dir] [more.png ...]   (--out writes image, mask, hole and plate PNGs)
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyzeCharacter, limitPixels } from '../src/engine/character.js';
import { createPoseWorkerPool } from '../src/engine/pose/pool.js';
import { inpaint } from '../src/engine/render/index.js';
import { readImageRgba, writePng } from '../src/media/image-reader.js';
import type { RasterImage } from '../src/engine/types.js';
import { fixturesDir, referenceImages } from './fixtures.js';

function rgb(img: RasterImage): RasterImage {
  if (img.channels === 3) return img;
  const data = new Uint8Array(img.width * img.height * 3);
  for (let i = 0, j = 0; i < data.length; i += 3, j += 4) { data[i] = img.data[j]; data[i + 1] = img.data[j + 1]; data[i + 2] = img.data[j + 2]; }
  return { width: img.width, height: img.height, channels: 3, data };
}

async function main(): Promise<void> {
  const dir = fixturesDir();
  if (!dir) { console.log('bench:plate skipped: ../shared/fixtures not found'); return; }
  const outIdx = process.argv.indexOf('--out');
  const out = outIdx > 0 ? process.argv[outIdx + 1] : null;
  if (out) await mkdir(out, { recursive: true });
  const pool = await createPoseWorkerPool({ threads: 1 });
  try {
    // CPU seconds beside wall seconds: on a shared machine the wall clock also counts other work.
    console.log('| image | size | hole px | plate wall s | plate CPU s |');
    console.log('|---|---|---|---|---|');
    const extra = process.argv.slice(2).filter((a) => /\.(png|jpe?g)$/i.test(a));
    for (const name of [...(await referenceImages()).map((n) => path.join(dir, n)), ...extra]) {
      const image = limitPixels(await readImageRgba(name));
      let ch;
      try { ch = await analyzeCharacter(image, pool); } catch (e) { console.log(`| ${path.basename(name)} | — | — | refused: ${(e as Error).message.slice(0, 60)} | |`); continue; }
      const hole = ch.plateHole;
      let holePx = 0;
      for (const v of hole.data) holePx += v;
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      const plate = inpaint(rgb(ch.image), hole);
      const cpu = process.cpuUsage(cpu0);
      const s = (performance.now() - t0) / 1000;
      console.log(`| ${path.basename(name)} | ${image.width}×${image.height} | ${holePx} | ${s.toFixed(2)} | ${((cpu.user + cpu.system) / 1e6).toFixed(2)} |`);
      if (out) {
        const base = path.join(out, path.parse(name).name);
        await writePng(`${base}-plate.png`, { ...plate, channels: 3 });
        await writePng(`${base}-image.png`, { ...rgb(ch.image), channels: 3 });
        await writePng(`${base}-hole.png`, { width: hole.width, height: hole.height, channels: 1, data: hole.data.map((v) => v * 255) });
        await writePng(`${base}-mask.png`, { width: hole.width, height: hole.height, channels: 1, data: ch.mask.data.map((v) => v * 255) });
      }
    }
  } finally {
    await pool.close();
  }
}

await main();
