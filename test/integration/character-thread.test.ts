/**
 * Character analysis in its worker thread (needs `npm run build`: workers load dist/): the same
 * character as in this thread, AppErrors kept as they are, and the shared pose pool used for models.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeCharacter } from '../../src/engine/character.js';
import { analyzeCharacterInWorker, largeBuffers } from '../../src/engine/character-thread.js';
import { createPoseWorkerPool, type PoseWorkerPool } from '../../src/engine/pose/pool.js';
import { isAppError } from '../../src/domain/errors.js';
import type { RasterImage } from '../../src/engine/types.js';
import { decodeImage, fixture, fixturesPresent } from './pose-media.js';

if (!fixturesPresent) console.warn('character-thread fixture test skipped: /work/shared/fixtures is absent');

/** Smooth colour bands: no person, no drawing on paper. */
function bands(width: number, height: number): RasterImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 3 * (y * width + x);
      data[o] = (x * 255) / width; data[o + 1] = (y * 255) / height; data[o + 2] = 128;
    }
  }
  return { width, height, channels: 3, data };
}

describe('analyzeCharacterInWorker', () => {
  let pool: PoseWorkerPool;
  beforeAll(async () => { pool = await createPoseWorkerPool({ threads: 2 }); });
  afterAll(async () => { await pool?.close(); });

  it('refuses an image without a character with the same AppError as in this thread', async () => {
    const image = bands(480, 640);
    const err: unknown = await analyzeCharacterInWorker(image, pool, { width: 480, height: 640 }).catch((e: unknown) => e);
    expect(isAppError(err) && err.reason).toBe('IMAGE_NO_PERSON_DETECTED');
    const here: unknown = await analyzeCharacter(image, pool, { width: 480, height: 640 }).catch((e: unknown) => e);
    expect(isAppError(here) && here.message).toBe((err as Error).message);
    // The caller's image is copied, not moved.
    expect(image.data.length).toBe(480 * 640 * 3);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    ac.abort(new Error('cancelled by test'));
    await expect(analyzeCharacterInWorker(bands(400, 400), pool, { width: 400, height: 400 }, { signal: ac.signal })).rejects.toThrow(/cancelled by test/);
  });

  it.skipIf(!fixturesPresent)('person2.jpg: the same rig, texture and plate as in this thread', async () => {
    const image = decodeImage(fixture('person2.jpg'), 960);
    const source = { width: image.width, height: image.height };
    const [{ character: there, cpuS }, here] = await Promise.all([
      analyzeCharacterInWorker(image, pool, source), analyzeCharacter(image, pool, source)]);
    expect(cpuS).toBeGreaterThan(0);
    expect(there.rig.rest).toEqual(here.rig.rest);
    expect(there.rig.triangles).toEqual(here.rig.triangles);
    expect(Buffer.from(there.plate.data).equals(Buffer.from(here.plate.data))).toBe(true);
    expect(Buffer.from(there.texture.data.buffer).equals(Buffer.from(here.texture.data.buffer))).toBe(true);
    expect(there.joints).toEqual(here.joints);
  }, 120_000);
});

describe('largeBuffers', () => {
  it('lists each large buffer once, skipping small ones', () => {
    const big = new Float32Array(1 << 18);
    const view = new Uint8Array(big.buffer, 16, 32);
    const small = new Uint8Array(100);
    const found = largeBuffers({ a: big, b: [view, { c: small }], d: 3, e: null });
    expect(found).toEqual([big.buffer]);
  });
});
