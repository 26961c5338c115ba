import { describe, expect, it } from 'vitest';
import { personShare } from '../../src/engine/motion.js';
import { KP, type Pose } from '../../src/engine/types.js';

/** A pose where only the named keypoints are confident. */
function seen(...keys: number[]): Pose {
  return Array.from({ length: 17 }, (_, k) => ({ x: k, y: k, score: keys.includes(k) ? 0.8 : 0.1 }));
}

const track = (poses: Pose[]) => ({ width: 100, height: 100, fps: 10, poses });

describe('personShare', () => {
  it('counts a whole body and a half-body presenter (shoulders and an arm), not a face close-up', () => {
    const whole = seen(KP.left_shoulder, KP.right_shoulder, KP.left_hip, KP.right_hip);
    const halfBody = seen(KP.nose, KP.left_shoulder, KP.right_shoulder, KP.left_elbow);
    const face = seen(KP.nose, KP.left_eye, KP.right_eye, KP.left_ear, KP.right_ear, KP.left_shoulder);
    const shouldersOnly = seen(KP.nose, KP.left_shoulder, KP.right_shoulder);
    expect(personShare(track([whole, halfBody, face, shouldersOnly]))).toBe(0.5);
    expect(personShare(track([]))).toBe(0);
  });
});
