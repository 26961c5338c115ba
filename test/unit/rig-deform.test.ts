import { describe, expect, it } from 'vitest';
import { boneTransforms, buildRig, deformRig } from '../../src/engine/rig/index.js';
import { JOINTS, JOINT_INDEX as J, PARENT, boneGroup } from '../../src/engine/rig/skeleton.js';
import { armDownFigure, figureMask, standardFigure } from './rig-figure.js';

const apply = (m: Float64Array, b: number, x: number, y: number) => {
  const o = 6 * b;
  return [m[o] * x + m[o + 2] * y + m[o + 4], m[o + 1] * x + m[o + 3] * y + m[o + 5]];
};

describe('boneTransforms', () => {
  const f = standardFigure();

  it('is exactly the identity for the rest pose', () => {
    const { m } = boneTransforms(f.joints, f.joints);
    for (let b = 0; b < JOINTS.length; b++) expect(Array.from(m.subarray(6 * b, 6 * b + 6), (v) => v + 0)).toEqual([1, 0, 0, 1, 0, 0]);
  });

  it('maps each bone onto its posed bone, scaling only along it', () => {
    const posed = Float64Array.from(f.joints);
    for (let i = 0; i < posed.length; i++) posed[i] = posed[i] * 1.1 + (i % 2 ? 7 : -3) + Math.sin(i) * 15;
    const { m } = boneTransforms(f.joints, posed);
    for (let b = 1; b < JOINTS.length; b++) {
      const p = PARENT[b];
      const [px, py] = apply(m, b, f.joints[2 * p], f.joints[2 * p + 1]);
      const [cx, cy] = apply(m, b, f.joints[2 * b], f.joints[2 * b + 1]);
      expect(px).toBeCloseTo(posed[2 * p], 9); expect(py).toBeCloseTo(posed[2 * p + 1], 9);
      expect(cx).toBeCloseTo(posed[2 * b], 9); expect(cy).toBeCloseTo(posed[2 * b + 1], 9);
      // Across the bone lengths are kept: a unit normal stays a unit vector.
      const rx = f.joints[2 * b] - f.joints[2 * p]; const ry = f.joints[2 * b + 1] - f.joints[2 * p + 1];
      const l = Math.hypot(rx, ry);
      const [nx, ny] = [-ry / l, rx / l];
      const o = 6 * b;
      expect(Math.hypot(m[o] * nx + m[o + 2] * ny, m[o + 1] * nx + m[o + 3] * ny)).toBeCloseTo(1, 9);
    }
    // Slot 0, the pelvis: the root where it is posed, turned by the mean turn of the two hip bones, unscaled.
    const turn = (b: number) => Math.atan2(posed[2 * b + 1] - posed[2 * J.root + 1], posed[2 * b] - posed[2 * J.root])
      - Math.atan2(f.joints[2 * b + 1] - f.joints[2 * J.root + 1], f.joints[2 * b] - f.joints[2 * J.root]);
    const wrap = (a: number) => a - 2 * Math.PI * Math.round(a / (2 * Math.PI));
    const theta = wrap(turn(J.l_hip) + wrap(turn(J.r_hip) - turn(J.l_hip)) / 2);
    expect(Math.atan2(m[1], m[0])).toBeCloseTo(theta, 9);
    expect(Math.hypot(m[0], m[1])).toBeCloseTo(1, 9);
    const [rx, ry] = apply(m, 0, f.joints[2 * J.root], f.joints[2 * J.root + 1]);
    expect(rx).toBeCloseTo(posed[2 * J.root], 9); expect(ry).toBeCloseTo(posed[2 * J.root + 1], 9);
  });

  it('makes the pelvis the torso where the hips are not apart', () => {
    const joints = Float64Array.from(f.joints);
    for (const h of [J.l_hip, J.r_hip]) { joints[2 * h] = joints[2 * J.root]; joints[2 * h + 1] = joints[2 * J.root + 1]; }
    const posed = joints.map((v, i) => v + (i % 2 ? 4 : -2) + Math.sin(i) * 9);
    const { m } = boneTransforms(joints, posed);
    expect(Array.from(m.subarray(0, 6))).toEqual(Array.from(m.subarray(6 * J.neck, 6 * J.neck + 6)));
  });
});

describe('deformRig', () => {
  const f = armDownFigure();
  const rig = buildRig(figureMask(f), f.joints);

  it('returns the rest mesh exactly for identity transforms', () => {
    const out = deformRig(rig, boneTransforms(f.joints, f.joints));
    expect(Array.from(out)).toEqual(Array.from(rig.rest));
  });

  it('moves a forearm turned 90° rigidly and leaves the torso still', () => {
    const posed = Float64Array.from(f.joints);
    const ex = f.joints[2 * J.l_elbow]; const ey = f.joints[2 * J.l_elbow + 1];
    const wx = f.joints[2 * J.l_wrist] - ex; const wy = f.joints[2 * J.l_wrist + 1] - ey;
    posed[2 * J.l_wrist] = ex - wy; posed[2 * J.l_wrist + 1] = ey + wx; // +90°
    const out = deformRig(rig, boneTransforms(f.joints, posed));
    const { bones, w, perVertex } = rig.weights;
    const rigidOn = (v: number, b: number) => bones[v * perVertex] === b && w[v * perVertex] === 1;
    const forearm: number[] = []; let torso = 0;
    for (let v = 0; v < rig.rest.length / 2; v++) {
      if (rigidOn(v, J.l_wrist)) forearm.push(v);
      let trunkOnly = true;
      for (let k = 0; k < perVertex; k++) if (w[v * perVertex + k] > 0 && boneGroup(bones[v * perVertex + k]) !== 'trunk') trunkOnly = false;
      if (trunkOnly) {
        torso++;
        expect(out[2 * v]).toBe(rig.rest[2 * v]); expect(out[2 * v + 1]).toBe(rig.rest[2 * v + 1]);
      }
    }
    expect(forearm.length).toBeGreaterThan(10);
    expect(torso).toBeGreaterThan(50);
    for (const v of forearm) {
      // Exactly the rotation about the elbow.
      const rx = rig.rest[2 * v] - ex; const ry = rig.rest[2 * v + 1] - ey;
      expect(Math.hypot(out[2 * v] - (ex - ry), out[2 * v + 1] - (ey + rx))).toBeLessThan(1e-3);
    }
    for (let i = 0; i < forearm.length; i++) {
      for (let k = i + 1; k < forearm.length; k += 3) {
        const a = forearm[i]; const b = forearm[k];
        const d0 = Math.hypot(rig.rest[2 * a] - rig.rest[2 * b], rig.rest[2 * a + 1] - rig.rest[2 * b + 1]);
        const d1 = Math.hypot(out[2 * a] - out[2 * b], out[2 * a + 1] - out[2 * b + 1]);
        expect(Math.abs(d1 - d0)).toBeLessThan(0.5);
      }
    }
  });

  it('keeps the face rigid through a nod and a twist, the neck taking the stretch, with no fold', () => {
    const fig = standardFigure();
    const headRig = buildRig(figureMask(fig), fig.joints);
    const { bones, w, perVertex } = headRig.weights;
    const [nx, ny] = [fig.joints[2 * J.neck], fig.joints[2 * J.neck + 1]];
    const [hx, hy] = [fig.joints[2 * J.head], fig.joints[2 * J.head + 1]];
    // The face: head-only vertices at the nose and beyond it (the eyes, the brow, the skull).
    const face: number[] = [];
    for (let v = 0; v < headRig.rest.length / 2; v++) {
      const along = ((headRig.rest[2 * v] - nx) * (hx - nx) + (headRig.rest[2 * v + 1] - ny) * (hy - ny)) / ((hx - nx) ** 2 + (hy - ny) ** 2);
      if (bones[v * perVertex] === J.head && w[v * perVertex] === 1 && along >= 1) face.push(v);
    }
    expect(face.length).toBeGreaterThan(20);
    for (const length of [0.7, 1.25]) {
      for (const twist of [-15, 15]) {
        const posed = Float64Array.from(fig.joints);
        posed[2 * J.head] = nx + (hx - nx) * length; posed[2 * J.head + 1] = ny + (hy - ny) * length;
        const phi = (twist * Math.PI) / 180;
        const out = deformRig(headRig, boneTransforms(fig.joints, posed, { headTwist: phi }));
        for (const v of face) {
          // Turned by the twist about the posed nose, unscaled.
          const rx = headRig.rest[2 * v] - hx, ry = headRig.rest[2 * v + 1] - hy;
          const ex = posed[2 * J.head] + Math.cos(phi) * rx - Math.sin(phi) * ry;
          const ey = posed[2 * J.head + 1] + Math.sin(phi) * rx + Math.cos(phi) * ry;
          expect(Math.hypot(out[2 * v] - ex, out[2 * v + 1] - ey), `vertex ${v}, length ${length}, twist ${twist}`).toBeLessThan(1e-3);
        }
        const tris = headRig.triangles;
        let foldedTriangles = 0;
        const area = (p: Float32Array, t: number) => {
          const [a, b, c] = [tris[3 * t], tris[3 * t + 1], tris[3 * t + 2]];
          return (p[2 * b] - p[2 * a]) * (p[2 * c + 1] - p[2 * a + 1]) - (p[2 * b + 1] - p[2 * a + 1]) * (p[2 * c] - p[2 * a]);
        };
        for (let t = 0; t < tris.length / 3; t++) {
          const a0 = area(headRig.rest, t), a1 = area(out, t);
          if (Math.sign(a0) !== Math.sign(a1) || Math.abs(a1) < 0.05 * Math.abs(a0)) foldedTriangles++;
        }
        expect(foldedTriangles, `length ${length}, twist ${twist}`).toBe(0);
      }
    }
  });

  it('writes into a given buffer', () => {
    const buf = new Float32Array(rig.rest.length);
    expect(deformRig(rig, boneTransforms(f.joints, f.joints), buf)).toBe(buf);
  });
});
