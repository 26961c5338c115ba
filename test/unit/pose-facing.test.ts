import { describe, expect, it } from 'vitest';
import { isFacingAway } from '../../src/engine/pose/facing.js';
import { KP, type Pose } from '../../src/engine/types.js';

/** Shoulders at y=100 and hips at y=250; x positions of the person's left and right given. */
function torso(ls: number, rs: number, lh: number, rh: number, score = 0.9): Pose {
  const pose: Pose = Array.from({ length: 17 }, () => ({ x: 0, y: 0, score: 0 }));
  pose[KP.left_shoulder] = { x: ls, y: 100, score };
  pose[KP.right_shoulder] = { x: rs, y: 100, score };
  pose[KP.left_hip] = { x: lh, y: 250, score };
  pose[KP.right_hip] = { x: rh, y: 250, score };
  return pose;
}

describe('isFacingAway', () => {
  it('front view: the left shoulder is on the image right', () => {
    expect(isFacingAway(torso(260, 140, 230, 170))).toBe(false);
  });
  it('back view: the left shoulder is on the image left', () => {
    expect(isFacingAway(torso(140, 260, 170, 230))).toBe(true);
  });
  it('profile: shoulders close together relative to the torso length', () => {
    expect(isFacingAway(torso(205, 195, 203, 197))).toBeNull();
  });
  it('undecided when the shoulders are not seen', () => {
    expect(isFacingAway(torso(260, 140, 230, 170, 0.1))).toBeNull();
  });
  it('undecided when shoulders and hips disagree (twist)', () => {
    expect(isFacingAway(torso(260, 140, 170, 230))).toBeNull();
  });
  it('decides from the shoulders alone when the hips are not seen', () => {
    const p = torso(260, 140, 0, 0);
    p[KP.left_hip].score = 0;
    p[KP.right_hip].score = 0;
    expect(isFacingAway(p)).toBe(false);
  });
});
