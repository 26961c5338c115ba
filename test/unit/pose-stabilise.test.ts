import { describe, expect, it } from 'vitest';
import { fuseCorrections, greyHalf, stabiliseTrack } from '../../src/engine/pose/stabilise.js';
import { COCO_KEYPOINTS, KP, type Pose, type RasterImage } from '../../src/engine/types.js';

const W = 240, H = 200, FPS = 25, N = 30;
/** The true body offset at frame t: a slow sway. */
const truth = (t: number) => ({ x: 6 * Math.sin(t / 6), y: 3 * Math.cos(t / 9) });
/** A frame whose texture (cloth) moves with the body. */
function frame(t: number): RasterImage {
  const { x: ox, y: oy } = truth(t);
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const u = x - ox, v = y - oy;
      const g = 128 + 45 * Math.sin(u * 0.21 + 0.8 * Math.sin(v * 0.09)) + 35 * Math.cos(v * 0.17 + u * 0.04);
      data.fill(Math.max(0, Math.min(255, Math.round(g))), 3 * (y * W + x), 3 * (y * W + x) + 3);
    }
  }
  return { width: W, height: H, channels: 3, data };
}
/** Keypoints on the true body, plus a pose model's bias of (+5, −4) px on the shoulders from frame 10. */
function pose(t: number): Pose {
  const p: Pose = COCO_KEYPOINTS.map(() => ({ x: 0, y: 0, score: 0 }));
  const { x: ox, y: oy } = truth(t);
  const bias = t >= 10 ? { x: 5, y: -4 } : { x: 0, y: 0 };
  const put = (k: number, x: number, y: number, b = { x: 0, y: 0 }) => { p[k] = { x: x + ox + b.x, y: y + oy + b.y, score: 0.9 }; };
  put(KP.left_shoulder, 150, 50, bias); put(KP.right_shoulder, 90, 50, bias);
  put(KP.left_hip, 140, 150); put(KP.right_hip, 100, 150);
  return p;
}
const neck = (p: Pose) => ({ x: (p[KP.left_shoulder].x + p[KP.right_shoulder].x) / 2, y: (p[KP.left_shoulder].y + p[KP.right_shoulder].y) / 2 });

describe('stabiliseTrack', () => {
  it('takes the chest\'s motion from the cloth, so a pose model\'s sudden bias is mostly removed', () => {
    const track = { width: W, height: H, fps: FPS, poses: Array.from({ length: N }, (_, t) => pose(t)) };
    const out = stabiliseTrack(track, Array.from({ length: N }, (_, t) => greyHalf(frame(t))));
    for (const t of [12, 16]) {
      const want = { x: 120 + truth(t).x, y: 50 + truth(t).y };
      const before = Math.hypot(neck(track.poses[t]).x - want.x, neck(track.poses[t]).y - want.y);
      const after = Math.hypot(neck(out.poses[t]).x - want.x, neck(out.poses[t]).y - want.y);
      expect(before).toBeCloseTo(Math.hypot(5, 4), 6);
      expect(after).toBeLessThan(1.5);
    }
    // The hips had no bias: they stay within a pixel of their keypoints.
    for (let t = 0; t < N; t++) expect(Math.abs(out.poses[t][KP.left_hip].x - track.poses[t][KP.left_hip].x)).toBeLessThan(1);
  });
});

describe('fuseCorrections', () => {
  it('sums the image\'s motion against the keypoints\', decays it, and bounds it', () => {
    const m = [null, { dx: 1, dy: 0 }, { dx: 1, dy: 0 }, null, { dx: 0, dy: 0 }];
    const k = [null, { dx: 0, dy: 0 }, { dx: 0, dy: 0 }, { dx: 0, dy: 0 }, { dx: 0, dy: 0 }];
    const c = fuseCorrections(m, k, 0.5, [10, 10, 10, 10, 0.1]);
    expect(c.map((s) => s.dx)).toEqual([0, 0.5, 0.75, 0.375, 0.1]);
  });
});
