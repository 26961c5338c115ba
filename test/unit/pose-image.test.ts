import { describe, expect, it } from 'vitest';
import { flipImage, mergePoses, torsoScore, unflipPose } from '../../src/engine/pose/image-pose.js';
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
});
