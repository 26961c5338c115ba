import { describe, expect, it } from 'vitest';
import { alignToTracker, flipImage, mergePoses, torsoScore, unflipPose } from '../../src/engine/pose/image-pose.js';
import { KP, type Pose } from '../../src/engine/types.js';

describe('reference image pose helpers', () => {
  it('flips an image horizontally', () => {
    const img = { width: 3, height: 1, channels: 3 as const, data: Uint8Array.from([1, 1, 1, 2, 2, 2, 3, 3, 3]) };
    expect(Array.from(flipImage(img).data)).toEqual([3, 3, 3, 2, 2, 2, 1, 1, 1]);
  });

  it('brings a pose from the mirrored image back: x mirrored, left and right swapped', () => {
    const pose: Pose = Array.from({ length: 17 }, (_, k) => ({ x: k, y: 100 + k, score: k / 20 }));
    const back = unflipPose(pose, 50);
    expect(back[KP.left_shoulder]).toEqual({ x: 49 - KP.right_shoulder, y: 100 + KP.right_shoulder, score: KP.right_shoulder / 20 });
    expect(back[KP.nose]).toEqual({ x: 49, y: 100, score: 0 });
    expect(unflipPose(back, 50)).toEqual(pose);
  });

  it('merges by score where the two agree and keeps the more confident where they do not', () => {
    const a: Pose = Array.from({ length: 17 }, (_, k) => ({ x: 100, y: 10 * k, score: 0.8 }));
    const b: Pose = a.map((p) => ({ ...p, x: 104, score: 0.4 }));
    b[3] = { x: 400, y: 30, score: 0.9 };
    const m = mergePoses(a, b);
    expect(m[0].x).toBeCloseTo((100 * 0.8 + 104 * 0.4) / 1.2);
    expect(m[0].score).toBeCloseTo(0.6);
    expect(m[3]).toEqual(b[3]);
    expect(torsoScore(a)).toBeCloseTo(0.8);
  });

  it('moves each joint to where the video tracker puts it when it is sure and close, else keeps it', () => {
    // A body 160 px tall: "close" is within 8% of that (12.8 px).
    const base: Pose = Array.from({ length: 17 }, (_, k) => ({ x: 100, y: 10 * k, score: 0.8 }));
    const tracked: Pose = base.map((p) => ({ x: p.x + 5, y: p.y - 3, score: 0.7 }));
    tracked[KP.left_wrist] = { x: 100 + 40, y: base[KP.left_wrist].y, score: 0.9 }; // far: another thing
    tracked[KP.right_wrist] = { x: 106, y: base[KP.right_wrist].y, score: 0.1 }; // unsure
    const out = alignToTracker(base, tracked);
    expect(out[KP.nose]).toEqual({ x: 105, y: -3, score: 0.8 });
    expect(out[KP.left_hip]).toEqual({ x: 105, y: 10 * KP.left_hip - 3, score: 0.8 });
    expect(out[KP.left_wrist]).toEqual(base[KP.left_wrist]);
    expect(out[KP.right_wrist]).toEqual(base[KP.right_wrist]);
  });
});
