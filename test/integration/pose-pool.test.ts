/** The real worker pool (compiled worker from dist/: run `npm run build` first) with the real models. */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledSibling } from '../../src/engine/compiled-path.js';
import { createPoseWorkerPool, type PoseWorkerPool } from '../../src/engine/pose/pool.js';
import type { RasterImage } from '../../src/engine/types.js';

const workerJs = compiledSibling(new URL('../../src/engine/pose/pool.ts', import.meta.url).href, './worker.js');

/** A 320×240 image: grey background with a light figure-like shape (head, trunk, legs) drawn in code. */
function figureImage(): RasterImage {
  const w = 320;
  const h = 240;
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const head = (x - 160) ** 2 + (y - 40) ** 2 < 15 ** 2;
      const trunk = Math.abs(x - 160) < 22 && y > 55 && y < 130;
      const legs = (Math.abs(x - 148) < 7 || Math.abs(x - 172) < 7) && y >= 130 && y < 220;
      const v = head || trunk || legs ? 230 : 60 + ((x + y) % 20);
      data.set([v, v * 0.8, v * 0.7, 255], (y * w + x) * 4);
    }
  }
  return { width: w, height: h, channels: 4, data };
}

describe('pose worker pool (real models, 2 threads)', () => {
  let pool: PoseWorkerPool;
  beforeAll(async () => {
    if (!existsSync(workerJs)) throw new Error(`${workerJs} is missing: run \`npm run build\` before the tests`);
    pool = await createPoseWorkerPool({ threads: 2 });
  });
  afterAll(async () => { await pool?.close(); });

  it('returns 17 finite keypoints inside the crop from both models, in parallel', async () => {
    const img = figureImage();
    const crop = { x: 40, y: -40, width: 240, height: 240 };
    const [a, b, c] = await Promise.all([
      pool.detect(img, crop, 'lightning'), pool.detect(img, crop, 'lightning'), pool.detect(img, crop, 'thunder'),
    ]);
    expect(pool.threads).toBe(2);
    for (const pose of [a, b, c]) {
      expect(pose).toHaveLength(17);
      for (const p of pose) {
        expect(Number.isFinite(p.x) && Number.isFinite(p.y)).toBe(true);
        expect(p.x).toBeGreaterThanOrEqual(crop.x - 1);
        expect(p.x).toBeLessThanOrEqual(crop.x + crop.width);
        expect(p.y).toBeGreaterThanOrEqual(crop.y - 1);
        expect(p.y).toBeLessThanOrEqual(crop.y + crop.height);
        expect(p.score).toBeGreaterThanOrEqual(0);
        expect(p.score).toBeLessThanOrEqual(1);
      }
    }
    expect(b).toEqual(a); // same input, same model, deterministic on either thread
  });

  it('segments an image into a soft mask of its size in 0..1', async () => {
    const img = figureImage();
    const mask = await pool.segment(img);
    expect([mask.width, mask.height]).toEqual([img.width, img.height]);
    expect(mask.data).toHaveLength(img.width * img.height);
    let min = 1;
    let max = 0;
    for (const v of mask.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
  });

  it('accepts frames that are views into a larger buffer', async () => {
    const img = figureImage();
    const backing = new Uint8Array(img.data.length + 100);
    backing.set(img.data, 50);
    const view = { ...img, data: backing.subarray(50, 50 + img.data.length) };
    const crop = { x: 40, y: -40, width: 240, height: 240 };
    expect(await pool.detect(view, crop, 'lightning')).toEqual(await pool.detect(img, crop, 'lightning'));
    expect(backing.byteLength).toBe(img.data.length + 100); // not transferred away
  });

  it('rejects after close', async () => {
    const p = await createPoseWorkerPool({ threads: 1 });
    await p.close();
    await expect(p.detect(figureImage(), { x: 0, y: 0, width: 10, height: 10 }, 'lightning')).rejects.toThrow(/closed/);
  });
});
