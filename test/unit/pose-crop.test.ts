import { describe, expect, it } from 'vitest';
import { cropFromPose, expandCrop, poseFromCropOutput, torsoVisible, wholeFrameCrop } from '../../src/engine/pose/crop.js';
import { initialFollowState, nextCrop, observe } from '../../src/engine/pose/follow.js';
import { KP, type Pose } from '../../src/engine/types.js';

/** A standing person: shoulders at y=100, hips at 200, ankles at 380, centred on x=cx. */
function standing(cx = 320, score = 0.9): Pose {
  const pose: Pose = Array.from({ length: 17 }, () => ({ x: cx, y: 60, score }));
  const set = (k: number, x: number, y: number) => { pose[k] = { x, y, score }; };
  set(KP.left_shoulder, cx + 40, 100); set(KP.right_shoulder, cx - 40, 100);
  set(KP.left_elbow, cx + 60, 150); set(KP.right_elbow, cx - 60, 150);
  set(KP.left_wrist, cx + 70, 200); set(KP.right_wrist, cx - 70, 200);
  set(KP.left_hip, cx + 25, 200); set(KP.right_hip, cx - 25, 200);
  set(KP.left_knee, cx + 25, 290); set(KP.right_knee, cx - 25, 290);
  set(KP.left_ankle, cx + 25, 380); set(KP.right_ankle, cx - 25, 380);
  return pose;
}

describe('crop logic', () => {
  it('pads the whole frame to a centred square of its long side', () => {
    expect(wholeFrameCrop(640, 360)).toEqual({ x: 0, y: -140, width: 640, height: 640 });
    expect(wholeFrameCrop(360, 640)).toEqual({ x: -140, y: 0, width: 640, height: 640 });
  });

  it('centres a square crop on the hips that holds every confident keypoint with margin', () => {
    const pose = standing();
    const c = cropFromPose(pose, 640, 480);
    expect(c).not.toBeNull();
    if (!c) return;
    expect(c.width).toBeCloseTo(c.height);
    expect(c.x + c.width / 2).toBeCloseTo(320);
    expect(c.y + c.height / 2).toBeCloseTo(200);
    for (const p of pose) {
      expect(p.x).toBeGreaterThan(c.x);
      expect(p.x).toBeLessThan(c.x + c.width);
      expect(p.y).toBeGreaterThan(c.y);
      expect(p.y).toBeLessThan(c.y + c.height);
    }
    // Body reach from the hips is 180 px (ankles); the crop half-size is 1.3× that.
    expect(c.width / 2).toBeCloseTo(180 * 1.3);
  });

  it('ignores unconfident keypoints when sizing the crop', () => {
    const pose = standing();
    pose[KP.left_wrist] = { x: 2000, y: 2000, score: 0.05 };
    const c = cropFromPose(pose, 640, 480);
    expect(c?.width).toBeCloseTo(2 * 180 * 1.3);
  });

  it('gives no crop when the torso is not seen', () => {
    const pose = standing();
    pose[KP.left_hip].score = 0.1;
    pose[KP.right_hip].score = 0.1;
    expect(torsoVisible(pose)).toBe(false);
    expect(cropFromPose(pose, 640, 480)).toBeNull();
  });

  it('falls back to the whole frame when the body fills it', () => {
    const pose = standing(320).map((p) => ({ ...p, y: p.y * 3 }));
    expect(cropFromPose(pose, 640, 480)).toEqual(wholeFrameCrop(640, 480));
  });

  it('maps MoveNet output (y, x, score) relative to the crop back to frame pixels', () => {
    const out = new Float32Array(17 * 3);
    out[0] = 0.5; out[1] = 0.25; out[2] = 0.8;
    out[3 * 16] = 1; out[3 * 16 + 1] = 0; out[3 * 16 + 2] = Number.NaN;
    const pose = poseFromCropOutput(out, { x: 100, y: -50, width: 200, height: 200 });
    expect(pose).toHaveLength(17);
    expect(pose[0]).toEqual({ x: 100 - 0.5 + 50, y: -50 - 0.5 + 100, score: expect.closeTo(0.8, 6) as number });
    expect(pose[16]).toEqual({ x: 99.5, y: 149.5, score: 0 });
  });

  it('expands a crop around its centre, capped at the whole frame', () => {
    expect(expandCrop({ x: 100, y: 100, width: 100, height: 100 }, 2, 640, 480)).toEqual({ x: 50, y: 50, width: 200, height: 200 });
    expect(expandCrop({ x: 100, y: 100, width: 400, height: 400 }, 2, 640, 480)).toEqual(wholeFrameCrop(640, 480));
  });
});

describe('following one person', () => {
  it('starts on the whole frame, then follows the newest finished pose', () => {
    let s = initialFollowState(640, 480, 25);
    expect(nextCrop(s, 0)).toEqual({ crop: wholeFrameCrop(640, 480), searching: true });
    s = observe(s, 0, standing(300));
    const c1 = nextCrop(s, 1);
    expect(c1.searching).toBe(false);
    expect(c1.crop.x + c1.crop.width / 2).toBeCloseTo(300);
    s = observe(s, 3, standing(340));
    s = observe(s, 2, standing(100)); // finished late: older than frame 3, ignored
    expect(nextCrop(s, 4).crop.x + nextCrop(s, 4).crop.width / 2).toBeCloseTo(340);
  });

  it('searches near the last sighting for a second, then over the whole frame', () => {
    let s = observe(initialFollowState(1280, 960, 10), 0, standing(200));
    const lost = standing(200).map((p) => ({ ...p, score: 0.05 }));
    s = observe(s, 1, lost);
    const near = nextCrop(s, 2);
    expect(near.searching).toBe(true);
    expect(near.crop.x + near.crop.width / 2).toBeCloseTo(200);
    expect(near.crop.width).toBeCloseTo(2 * 180 * 1.3 * 1.6);
    expect(nextCrop(s, 20)).toEqual({ crop: wholeFrameCrop(1280, 960), searching: true });
  });
});
