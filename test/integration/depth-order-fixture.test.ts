/**
 * The depth order on a real clip where it is known (fixtures; skipped when absent; needs `npm run build`):
 * fitness_turn1 faces the camera doing jumping jacks for the first ~2 s (arms in front of the body),
 * then turns her right side away from the camera (~3.3-4 s), her right arm behind her body.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoseWorkerPool, type PoseWorkerPool } from '../../src/engine/pose/pool.js';
import { trackVideoPoses } from '../../src/engine/pose/track.js';
import { drivingTrackFrom } from '../../src/engine/motion.js';
import { planRetarget } from '../../src/engine/retarget/retarget.js';
import { JOINTS } from '../../src/engine/rig/skeleton.js';
import type { PartGroup } from '../../src/engine/rig/skeleton.js';
import { decodeVideo, fixture, fixturesPresent, scaledSize } from './pose-media.js';

if (!fixturesPresent) console.warn('depth order fixture test skipped: /work/shared/fixtures is absent');

const FPS = 15;

describe.skipIf(!fixturesPresent)('depth order on fitness_turn1', () => {
  let pool: PoseWorkerPool;
  beforeAll(async () => { pool = await createPoseWorkerPool({ threads: 2 }); });
  afterAll(async () => { await pool?.close(); });

  it('keeps the forearms in front while she faces us and puts the far arm behind her when she turns', async () => {
    const file = fixture('fitness_turn1.mp4');
    const size = scaledSize(file, 360);
    const sampled = await trackVideoPoses(decodeVideo(file, { ...size, fps: FPS, seconds: 4.2 }), pool, { fps: FPS, landmarkEvery: 3 });
    expect(sampled.landmarks?.filter((l) => l !== null).length).toBeGreaterThan(15);
    const { driving } = drivingTrackFrom(sampled, 1, sampled.poses.length, FPS);
    // The driver as her own character: the order does not depend on the character's shape.
    const plan = planRetarget({ rest: driving.joints[0], present: JOINTS.map(() => true), imageWidth: size.width, imageHeight: size.height },
      driving, { orientation: 'video', canvasWidth: size.width, canvasHeight: size.height });
    const at = (s: number) => plan.frames[Math.round(s * FPS)].order;
    const behind = (order: PartGroup[], a: PartGroup, b: PartGroup) => order.indexOf(a) < order.indexOf(b);
    for (const s of [0.5, 1.0, 1.5]) {
      expect(behind(at(s), 'trunk', 'l_forearm'), `l_forearm at ${s} s: ${at(s).join(' ')}`).toBe(true);
      expect(behind(at(s), 'trunk', 'r_forearm'), `r_forearm at ${s} s: ${at(s).join(' ')}`).toBe(true);
    }
    for (const s of [3.5, 3.7, 3.9]) {
      expect(behind(at(s), 'r_forearm', 'trunk'), `r_forearm at ${s} s: ${at(s).join(' ')}`).toBe(true);
      expect(behind(at(s), 'trunk', 'l_forearm'), `l_forearm at ${s} s: ${at(s).join(' ')}`).toBe(true);
    }
  }, 240_000);
});
