/**
 * Frames drawn by the render threads (needs `npm run build`: workers load dist/) are the bytes
 * renderFrame draws in this thread, whichever thread draws them and in whatever order they are asked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { assembleCharacter } from '../../src/engine/character.js';
import { createFrameRenderPool, type FrameRenderPool } from '../../src/engine/frame-render-pool.js';
import { prepareStillRing, renderFrame } from '../../src/engine/frame-renderer.js';
import type { RetargetPlan } from '../../src/engine/retarget/retarget.js';
import { DEFAULT_LAYER_ORDER, JOINTS, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';
import { refineMask } from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';
import { figureMask, rng, standardFigure } from '../unit/rig-figure.js';

const f = standardFigure();

/** The figure in two colours on grey noise. */
function figureImage(): RasterImage {
  const rand = rng(3);
  const m = figureMask(f);
  const data = new Uint8Array(f.width * f.height * 3);
  for (let i = 0; i < f.width * f.height; i++) {
    const n = Math.round((rand() - 0.5) * 20);
    data.set(m.data[i] ? [200 + n, 60, 90 + ((i * 7) % 50)] : [128 + n, 128 + n, 128 + n], 3 * i);
  }
  return { width: f.width, height: f.height, channels: 3, data };
}

const mask = figureMask(f);
const ch = assembleCharacter(figureImage(), refineMask({ width: f.width, height: f.height, data: Float32Array.from(mask.data) }),
  f.joints, JOINTS.map(() => true), 'alpha', 'pose-model');
const W = f.width + 60; const H = f.height + 40;
/** Frames raising the right arm step by step, with the figure mirrored on odd frames. */
const plan: RetargetPlan = {
  canvasWidth: W, canvasHeight: H, transform: { scale: 1.1, dx: 10, dy: 5 },
  frames: Array.from({ length: 7 }, (_, t) => {
    const joints = Float64Array.from(f.joints);
    const [sx, sy] = [joints[2 * J.r_shoulder], joints[2 * J.r_shoulder + 1]];
    const a = (t / 6) * Math.PI * 0.9;
    joints[2 * J.r_elbow] = sx - 40 * Math.sin(a); joints[2 * J.r_elbow + 1] = sy + 40 * Math.cos(a);
    joints[2 * J.r_wrist] = sx - 80 * Math.sin(a); joints[2 * J.r_wrist + 1] = sy + 80 * Math.cos(a);
    return { joints, mirror: t % 2 === 1, order: [...DEFAULT_LAYER_ORDER], headTwist: 0 };
  }),
};
const plate = new Uint8Array(W * H * 3).map((_, i) => (i * 31) % 251);

describe('createFrameRenderPool', () => {
  let pool: FrameRenderPool | null = null;
  afterEach(async () => { await pool?.close(); pool = null; });

  it('draws the same bytes as renderFrame in this thread, in any order of asking', async () => {
    pool = createFrameRenderPool({ threads: 2 });
    // With the picture's rim shown beside parts that stay put (the scene carries it to the threads).
    const stillRing = prepareStillRing(ch, plate, { orientation: 'image', width: W, height: H, cover: null });
    expect(stillRing.pixels.length).toBeGreaterThan(0);
    await pool.load({ character: ch, plan, plate, stillRing });
    const order = [3, 0, 6, 1, 5, 2, 4];
    const frames = await Promise.all(order.map((t) => pool!.frame(t)));
    const posed = new Float32Array(ch.rig.rest.length);
    order.forEach((t, k) => {
      const here = renderFrame(ch, plan, t, plate, posed, stillRing);
      expect(Buffer.from(frames[k]).equals(Buffer.from(here)), `frame ${t}`).toBe(true);
    });
    // The frames differ from each other (the arm moves), so the test can tell them apart.
    expect(Buffer.from(frames[0]).equals(Buffer.from(frames[1]))).toBe(false);
  });

  it('refuses frames before a scene and after close', async () => {
    pool = createFrameRenderPool({ threads: 1 });
    await expect(pool.frame(0)).rejects.toThrow(/no scene/);
    await pool.close();
    await expect(pool.frame(0)).rejects.toThrow(/closed/);
  });

  it('fails the frames of a thread that dies, with its reason', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'render-pool-'));
    try {
      const file = path.join(dir, 'dies.mjs');
      writeFileSync(file, 'process.exit(3);\n');
      pool = createFrameRenderPool({ threads: 1, workerFile: file });
      await expect(pool.load({ character: ch, plan, plate, stillRing: null })).rejects.toThrow(/exited \(code 3\)/);
      await expect(pool.frame(0)).rejects.toThrow(/no scene|exited/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
