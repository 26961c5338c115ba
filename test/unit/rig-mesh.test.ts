import { describe, expect, it } from 'vitest';
import { buildRig, type Rig } from '../../src/engine/rig/index.js';
import { JOINTS, JOINT_INDEX as J, boneGroup } from '../../src/engine/rig/skeleton.js';
import { dilate, erode, type BinaryMask } from '../../src/engine/segment/index.js';
import { armDownFigure, distinctPoints, figureMask, standardFigure } from './rig-figure.js';

const vx = (r: Rig, v: number) => r.rest[2 * v];
const vy = (r: Rig, v: number) => r.rest[2 * v + 1];
const tri = (r: Rig, t: number) => [r.triangles[3 * t], r.triangles[3 * t + 1], r.triangles[3 * t + 2]];
const centroid = (r: Rig, t: number) => {
  const v = tri(r, t);
  return [(vx(r, v[0]) + vx(r, v[1]) + vx(r, v[2])) / 3, (vy(r, v[0]) + vy(r, v[1]) + vy(r, v[2])) / 3];
};

/** Pixels covered by at least one triangle (pixel centres, closed triangles). */
function coverage(r: Rig): Uint8Array {
  const cov = new Uint8Array(r.width * r.height);
  for (let t = 0; t < r.triangles.length / 3; t++) {
    const v = tri(r, t);
    const X = v.map((i) => vx(r, i)); const Y = v.map((i) => vy(r, i));
    const cross = (a: number, b: number, px: number, py: number) => (X[b] - X[a]) * (py - Y[a]) - (Y[b] - Y[a]) * (px - X[a]);
    for (let y = Math.floor(Math.min(...Y)); y <= Math.ceil(Math.max(...Y)); y++) {
      for (let x = Math.floor(Math.min(...X)); x <= Math.ceil(Math.max(...X)); x++) {
        const c = [cross(0, 1, x, y), cross(1, 2, x, y), cross(2, 0, x, y)];
        if (c.every((k) => k >= -1e-6) || c.every((k) => k <= 1e-6)) cov[y * r.width + x] = 1;
      }
    }
  }
  return cov;
}

const inMask = (m: BinaryMask, x: number, y: number) => m.data[Math.round(y) * m.width + Math.round(x)] === 1;

describe('buildRig on a rendered figure', () => {
  const f = standardFigure();
  const mask = figureMask(f);
  const rig = buildRig(mask, f.joints, { targetVertices: 500 });

  it('has about the target number of vertices', () => {
    const n = distinctPoints(rig);
    expect(n).toBeGreaterThan(350);
    expect(n).toBeLessThan(750);
    const small = distinctPoints(buildRig(mask, f.joints, { targetVertices: 250 }));
    expect(small).toBeGreaterThan(170);
    expect(small).toBeLessThan(380);
  });

  it('keeps every triangle inside the mask (sampled, 1 px tolerance for the outline)', () => {
    const near = dilate(mask, 1);
    for (let t = 0; t < rig.triangles.length / 3; t++) {
      const v = tri(rig, t);
      for (const [a, b, c] of [[1, 1, 1], [4, 1, 1], [1, 4, 1], [1, 1, 4], [2, 2, 1], [1, 2, 2], [2, 1, 2]]) {
        const s = a + b + c;
        const x = (a * vx(rig, v[0]) + b * vx(rig, v[1]) + c * vx(rig, v[2])) / s;
        const y = (a * vy(rig, v[0]) + b * vy(rig, v[1]) + c * vy(rig, v[2])) / s;
        expect(inMask(near, x, y), `triangle ${t} at ${x.toFixed(1)},${y.toFixed(1)}`).toBe(true);
      }
    }
  });

  it('covers every mask pixel at least 2 px inside the outline', () => {
    const inner = erode(mask, 2);
    const cov = coverage(rig);
    let missed = 0;
    for (let i = 0; i < cov.length; i++) if (inner.data[i] && !cov[i]) missed++;
    expect(missed).toBe(0);
  });

  it('has weights that sum to 1 on known bones', () => {
    const { bones, w, perVertex } = rig.weights;
    for (let v = 0; v < rig.rest.length / 2; v++) {
      let s = 0;
      // The pelvis (0) only goes with the torso: as the main bone below the root, blended with the
      // torso, or as a blend slot of the torso above it.
      const main = bones[v * perVertex];
      if (main === 0) {
        expect(rig.rest[2 * v + 1]).toBeGreaterThan(f.joints[2 * J.root + 1]);
        expect(w[v * perVertex + 1] === 0 || bones[v * perVertex + 1] === J.neck).toBe(true);
      }
      for (let k = 0; k < perVertex; k++) {
        s += w[v * perVertex + k];
        if (k > 0 && w[v * perVertex + k] > 0 && bones[v * perVertex + k] === 0) expect(main).toBe(J.neck);
      }
      expect(s).toBeCloseTo(1, 5);
    }
  });

  it('turns the torso below the waist with the pelvis, fully below the hips and not at the chest', () => {
    const { bones, w, perVertex } = rig.weights;
    const share = (v: number) => {
      if (bones[v * perVertex] === 0) return w[v * perVertex];
      for (let k = 1; k < perVertex; k++) if (bones[v * perVertex + k] === 0) return w[v * perVertex + k];
      return 0;
    };
    const root = [f.joints[2 * J.root], f.joints[2 * J.root + 1]], neck = [f.joints[2 * J.neck], f.joints[2 * J.neck + 1]];
    const len = Math.hypot(neck[0] - root[0], neck[1] - root[1]);
    let blended = 0, chest = 0;
    for (let v = 0; v < rig.rest.length / 2; v++) {
      if (bones[v * perVertex] !== J.neck && bones[v * perVertex] !== 0) continue;
      const y = rig.rest[2 * v + 1];
      if (y > root[1] + 0.1 * len) expect(share(v)).toBeCloseTo(1, 5);
      if (y < root[1] && y > root[1] - 0.3 * len && share(v) > 0) blended++;
      if (y < root[1] - 0.5 * len) { chest++; expect(share(v)).toBe(0); }
    }
    expect(chest).toBeGreaterThan(0);
    expect(blended).toBeGreaterThan(0);
  });

  it('labels the hands, feet and head with their bones', () => {
    const labelAt = (x: number, y: number) => {
      let best = -1; let d = Infinity;
      for (let t = 0; t < rig.triangles.length / 3; t++) {
        const [cx, cy] = centroid(rig, t);
        const e = Math.hypot(cx - x, cy - y);
        if (e < d) { d = e; best = rig.triangleBone[t]; }
      }
      return best;
    };
    expect(labelAt(60, 186)).toBe(J.r_wrist);
    expect(labelAt(262, 186)).toBe(J.l_wrist);
    expect(labelAt(131, 360)).toBe(J.r_ankle);
    expect(labelAt(160, 40)).toBe(J.head);
    expect(boneGroup(labelAt(160, 170))).toBe('trunk');
  });

  it('gives no triangles to bones of joints that are not present', () => {
    const present = JOINTS.map((n) => !['l_knee', 'l_ankle', 'r_knee', 'r_ankle'].includes(n));
    const upper = buildRig(mask, f.joints, { present });
    for (const b of upper.triangleBone) expect([J.l_knee, J.l_ankle, J.r_knee, J.r_ankle]).not.toContain(b);
  });
});

describe('buildRig with an arm held against the torso', () => {
  const f = armDownFigure();
  const rig = buildRig(figureMask(f), f.joints);
  const armOnly = (x: number, y: number) => x > f.torso.x1 + 2 && y > 140 && y < 225;

  it('labels the arm pixels beside the torso as arm', () => {
    let n = 0;
    for (let t = 0; t < rig.triangles.length / 3; t++) {
      const [cx, cy] = centroid(rig, t);
      if (!armOnly(cx, cy) || rig.copyKind[t] !== -1) continue;
      n++;
      expect(boneGroup(rig.triangleBone[t]), `triangle at ${cx.toFixed(0)},${cy.toFixed(0)}`).toMatch(/^l_(upper_arm|forearm)$/);
    }
    expect(n).toBeGreaterThan(5);
  });

  it('splits the mesh along the contact, away from the shoulder', () => {
    const groupsOf = new Map<number, Set<string>>();
    for (let t = 0; t < rig.triangles.length / 3; t++) {
      for (const v of tri(rig, t)) {
        if (!groupsOf.has(v)) groupsOf.set(v, new Set());
        groupsOf.get(v)!.add(boneGroup(rig.triangleBone[t]));
      }
    }
    for (const [v, g] of groupsOf) {
      if ((g.has('l_upper_arm') || g.has('l_forearm')) && g.has('trunk')) expect(vy(rig, v), `shared vertex ${v}`).toBeLessThan(150);
    }
    expect(rig.boundaryEdge.filter((e) => e === 2).length).toBeGreaterThan(4);
  });
});
