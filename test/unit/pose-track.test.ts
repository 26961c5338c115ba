import { describe, expect, it } from 'vitest';
import type { CropRect } from '../../src/engine/pose/crop.js';
import type { PoseWorkerPool } from '../../src/engine/pose/pool.js';
import { trackVideoPoses } from '../../src/engine/pose/track.js';
import { KP, type Pose, type RasterImage } from '../../src/engine/types.js';

const W = 640;
const H = 480;

/** The person in frame i stands at x = 200 + 2i (the frame's first byte carries i). */
function personAt(i: number): Pose {
  const cx = 200 + 2 * i;
  const pose: Pose = Array.from({ length: 17 }, () => ({ x: cx, y: 60, score: 0.9 }));
  pose[KP.left_shoulder] = { x: cx + 30, y: 100, score: 0.9 };
  pose[KP.right_shoulder] = { x: cx - 30, y: 100, score: 0.9 };
  pose[KP.left_hip] = { x: cx + 20, y: 200, score: 0.9 };
  pose[KP.right_hip] = { x: cx - 20, y: 200, score: 0.9 };
  pose[KP.left_ankle] = { x: cx + 20, y: 300, score: 0.9 };
  pose[KP.right_ankle] = { x: cx - 20, y: 300, score: 0.9 };
  return pose;
}

interface Call { frame: number; crop: CropRect }

/** A pool double: answers with the person of the frame after a delay that varies, so replies come out of order. */
function fakePool(threads: number, o: { failAt?: number; delayMs?: (i: number) => number } = {}): { pool: PoseWorkerPool; calls: Call[]; maxActive: () => number } {
  const calls: Call[] = [];
  let active = 0;
  let maxActive = 0;
  const pool: PoseWorkerPool = {
    threads,
    async detect(frame: RasterImage, crop: CropRect): Promise<Pose> {
      const i = frame.data[0];
      calls.push({ frame: i, crop });
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, o.delayMs ? o.delayMs(i) : 1 + ((i * 7) % 5)));
      active--;
      if (i === o.failAt) throw new Error(`detector failed on frame ${i}`);
      return personAt(i);
    },
    async detectWithLandmarks(frame: RasterImage, crop: CropRect) {
      return { pose: await pool.detect(frame, crop, 'lightning'), landmarks: null };
    },
    segment: () => Promise.reject(new Error('not used')),
    close: () => Promise.resolve(),
  };
  return { pool, calls, maxActive: () => maxActive };
}

/** Frames 0..n-1, generated lazily; counts how many were taken but not yet answered. */
function frames(n: number, taken: { count: number }): AsyncIterable<RasterImage> {
  return (async function* gen() {
    for (let i = 0; i < n; i++) {
      taken.count++;
      const data = new Uint8Array(W * H * 3);
      data[0] = i;
      yield { width: W, height: H, channels: 3 as const, data };
    }
  })();
}

describe('trackVideoPoses', () => {
  it('returns one pose per frame in order, with crops that follow the person', async () => {
    const { pool, calls, maxActive } = fakePool(2);
    const taken = { count: 0 };
    const progress: number[] = [];
    const track = await trackVideoPoses(frames(40, taken), pool, { fps: 25, onFrame: (i) => progress.push(i) });
    expect(track.poses).toHaveLength(40);
    expect([track.width, track.height, track.fps]).toEqual([W, H, 25]);
    track.poses.forEach((p, i) => expect(p[KP.left_hip].x).toBe(220 + 2 * i));
    expect(progress).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(maxActive()).toBeLessThanOrEqual(4);
    // The first frame is searched on the whole frame and then refined; later frames use a body crop
    // centred near where the person was a few frames earlier.
    expect(calls[0].crop).toEqual({ x: 0, y: -80, width: 640, height: 640 });
    const late = calls.filter((c) => c.frame === 30);
    expect(late).toHaveLength(1);
    const centre = late[0].crop.x + late[0].crop.width / 2;
    expect(centre).toBeGreaterThan(200 + 2 * 24);
    expect(centre).toBeLessThanOrEqual(200 + 2 * 30);
    expect(late[0].crop.width).toBeLessThan(400);
  });

  it('gives each frame the same crop whichever frames finish first (deterministic)', async () => {
    const cropsWith = async (delayMs: (i: number) => number) => {
      const { pool, calls } = fakePool(2, { delayMs });
      await trackVideoPoses(frames(30, { count: 0 }), pool, { fps: 25 });
      return [...calls].sort((a, b) => a.frame - b.frame);
    };
    const steady = await cropsWith(() => 2);
    const jumbled = await cropsWith((i) => (i % 4 === 1 ? 12 : (i * 5) % 3));
    expect(jumbled).toEqual(steady);
    // The crop of frame 10 follows where the person was 2 frames earlier (one frame in flight per worker).
    const crop10 = steady.find((c) => c.frame === 10)!.crop;
    expect(crop10.x + crop10.width / 2).toBeCloseTo(personAt(8)[KP.left_hip].x - 20, 0);
  });

  it('reads frames lazily: only the frames in flight are held', async () => {
    const { pool } = fakePool(1);
    const taken = { count: 0 };
    let maxAhead = 0;
    const track = await trackVideoPoses(frames(20, taken), pool, {
      fps: 25, onFrame: (i) => { maxAhead = Math.max(maxAhead, taken.count - (i + 1)); },
    });
    expect(track.poses).toHaveLength(20);
    expect(maxAhead).toBeLessThanOrEqual(2);
  });

  it('rejects with the detector error', async () => {
    const { pool } = fakePool(2, { failAt: 7 });
    await expect(trackVideoPoses(frames(20, { count: 0 }), pool, { fps: 25 })).rejects.toThrow(/frame 7/);
  });

  it('stops when aborted', async () => {
    const { pool } = fakePool(2);
    const ac = new AbortController();
    const run = trackVideoPoses(frames(200, { count: 0 }), pool, {
      fps: 25, signal: ac.signal, onFrame: (i) => { if (i === 5) ac.abort(new Error('cancelled by test')); },
    });
    await expect(run).rejects.toThrow(/cancelled by test/);
  });

  it('returns an empty track for no frames', async () => {
    const { pool } = fakePool(2);
    const t = await trackVideoPoses(frames(0, { count: 0 }), pool, { fps: 30 });
    expect(t.poses).toEqual([]);
  });
});
