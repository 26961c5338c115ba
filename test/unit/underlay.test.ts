import { describe, expect, it } from 'vitest';
import { underlayJoints } from '../../src/engine/underlay.js';
import { JOINTS, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';

describe('underlayJoints', () => {
  it('keeps the arms at their rest angles, carried by the shoulders\' turn and place', () => {
    const rest = new Float64Array(2 * JOINTS.length);
    const set = (a: Float64Array, j: number, x: number, y: number) => { a[2 * j] = x; a[2 * j + 1] = y; };
    set(rest, J.l_shoulder, 120, 100); set(rest, J.r_shoulder, 80, 100);
    set(rest, J.l_elbow, 125, 140); set(rest, J.l_wrist, 128, 180);
    set(rest, J.r_elbow, 75, 140); set(rest, J.r_wrist, 72, 180);
    // Posed: shoulders moved by (+10, +5) and turned 90°; arms swung anywhere.
    const posed = Float64Array.from(rest);
    set(posed, J.l_shoulder, 110, 125); set(posed, J.r_shoulder, 110, 85);
    set(posed, J.l_elbow, 300, 300); set(posed, J.l_wrist, 0, 0);
    const u = underlayJoints(rest, posed);
    // Rest l_elbow − l_shoulder = (5, 40), turned +90° → (−40, 5).
    expect(u[2 * J.l_elbow]).toBeCloseTo(110 - 40);
    expect(u[2 * J.l_elbow + 1]).toBeCloseTo(125 + 5);
    expect(u[2 * J.l_wrist]).toBeCloseTo(70 - 40);
    expect(u[2 * J.l_wrist + 1]).toBeCloseTo(130 + 3);
    // Other joints are the posed ones.
    expect(u[2 * J.l_shoulder]).toBe(110);
  });
});
