import { describe, expect, it } from 'vitest';
import { faceCentre, foldHalfTurn, headRoll } from '../../src/engine/pose/head-roll.js';
import { COCO_KEYPOINTS, KP, type Pose } from '../../src/engine/types.js';

/** A front-facing pose with the shoulders 100 px apart and the face's points given. */
function pose(face: Partial<Record<'left_eye' | 'right_eye' | 'left_ear' | 'right_ear' | 'nose', [number, number, number?]>>): Pose {
  const p: Pose = COCO_KEYPOINTS.map(() => ({ x: 0, y: 0, score: 0 }));
  p[KP.left_shoulder] = { x: 250, y: 200, score: 0.9 };
  p[KP.right_shoulder] = { x: 150, y: 200, score: 0.9 };
  for (const [name, [x, y, score = 0.9]] of Object.entries(face)) p[KP[name as keyof typeof KP]] = { x, y, score };
  return p;
}
const deg = (r: number) => (r * 180) / Math.PI;

describe('headRoll', () => {
  it('reads an upright face as 0 wherever its nose points', () => {
    expect(headRoll(pose({ right_eye: [190, 100], left_eye: [210, 100], nose: [200, 112] }))).toBeCloseTo(0, 9);
    // Looking down and to one side: the nose is far off the neck's line, the eyes level.
    expect(headRoll(pose({ right_eye: [170, 120], left_eye: [190, 120], nose: [172, 135] }))).toBeCloseTo(0, 9);
  });

  it('reads a tilt from the eye line, the same with left and right swapped', () => {
    const tilted = headRoll(pose({ right_eye: [190, 95], left_eye: [210, 105] }))!;
    expect(deg(tilted)).toBeCloseTo(26.57, 1);
    expect(headRoll(pose({ right_eye: [210, 105], left_eye: [190, 95] }))).toBeCloseTo(tilted, 9);
  });

  it('falls back on the ears, and says nothing for a profile or an unseen face', () => {
    expect(deg(headRoll(pose({ right_eye: [200, 100, 0.1], left_eye: [210, 100, 0.1], right_ear: [180, 100], left_ear: [220, 110] }))!))
      .toBeCloseTo(14.04, 1);
    // Eyes 3 px apart (a profile): no line.
    expect(headRoll(pose({ right_eye: [200, 100], left_eye: [203, 101] }))).toBeNull();
    expect(headRoll(pose({}))).toBeNull();
  });

  it('folds a line\'s angle into a half turn', () => {
    expect(foldHalfTurn(Math.PI)).toBeCloseTo(0, 9);
    expect(foldHalfTurn(-Math.PI / 4)).toBeCloseTo(-Math.PI / 4, 9);
    expect(foldHalfTurn((3 * Math.PI) / 4)).toBeCloseTo(-Math.PI / 4, 9);
    expect(foldHalfTurn(Math.PI / 2)).toBeCloseTo(Math.PI / 2, 9);
  });
});

describe('faceCentre', () => {
  it('is the mean of the face points seen', () => {
    expect(faceCentre(pose({ nose: [200, 112], right_eye: [190, 100], left_eye: [210, 100], right_ear: [180, 104, 0.1] }))).toEqual([200, 104]);
  });

  it('is null with fewer than two face points', () => {
    expect(faceCentre(pose({ nose: [200, 112], left_eye: [210, 100, 0.1] }))).toBeNull();
    expect(faceCentre(pose({}))).toBeNull();
  });
});
