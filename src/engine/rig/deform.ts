/** Bone transforms from joint positions, and linear blend skinning of the rig. */
import type { Rig } from './mesh.js';
import { JOINTS, JOINT_INDEX, PARENT, type JointPositions } from './skeleton.js';

/**
 * 6 per joint/bone: 2x3 affine (a, b, c, d, tx, ty): x' = a x + c y + tx, y' = b x + d y + ty.
 * `angle`: each bone's rotation (radians), used to blend rotations around joints.
 */
export interface BoneTransforms { m: Float64Array; angle?: Float64Array }

/**
 * Bone i: the rotation taking (rest[i] − rest[parent]) to (posed[i] − posed[parent]), a scale along
 * the bone by the length ratio (1 across it), and the translation mapping rest[parent] to
 * posed[parent]. The root follows the torso bone. Equal rest and posed joints give exact identities.
 */
export function boneTransforms(restJoints: JointPositions, posedJoints: JointPositions): BoneTransforms {
  const m = new Float64Array(6 * JOINTS.length);
  const angle = new Float64Array(JOINTS.length);
  for (let i = 1; i < JOINTS.length; i++) {
    const p = PARENT[i];
    const rx = restJoints[2 * i] - restJoints[2 * p]; const ry = restJoints[2 * i + 1] - restJoints[2 * p + 1];
    const qx = posedJoints[2 * i] - posedJoints[2 * p]; const qy = posedJoints[2 * i + 1] - posedJoints[2 * p + 1];
    const rl = Math.hypot(rx, ry); const ql = Math.hypot(qx, qy);
    let a = 1; let b = 0; let c = 0; let d = 1;
    if (rl > 1e-6 && ql > 1e-6) {
      const theta = Math.atan2(qy, qx) - Math.atan2(ry, rx);
      angle[i] = theta;
      const cos = Math.cos(theta); const sin = Math.sin(theta);
      const k = ql / rl;
      // S = I + (k − 1) u uᵀ along the rest direction u, then R(θ).
      const ux = rx / rl; const uy = ry / rl;
      const s00 = 1 + (k - 1) * ux * ux; const s01 = (k - 1) * ux * uy; const s11 = 1 + (k - 1) * uy * uy;
      a = cos * s00 - sin * s01; b = sin * s00 + cos * s01;
      c = cos * s01 - sin * s11; d = sin * s01 + cos * s11;
    }
    const px = restJoints[2 * p]; const py = restJoints[2 * p + 1];
    const o = 6 * i;
    m[o] = a; m[o + 1] = b; m[o + 2] = c; m[o + 3] = d;
    m[o + 4] = posedJoints[2 * p] - (a * px + c * py);
    m[o + 5] = posedJoints[2 * p + 1] - (b * px + d * py);
  }
  pelvisTransform(restJoints, posedJoints, m, angle);
  return { m, angle };
}

/**
 * Slot 0 (the root) is the pelvis: it turns about the root with the hip line (the mean turn of the
 * two hip bones), so the hips and what hangs from them (a skirt) follow the hips, not the lean of
 * the spine. Without hips it is the torso.
 */
function pelvisTransform(restJoints: JointPositions, posedJoints: JointPositions, m: Float64Array, angle: Float64Array): void {
  const l = JOINT_INDEX.l_hip, r = JOINT_INDEX.r_hip, root = JOINT_INDEX.root;
  const len = (j: JointPositions, i: number) => Math.hypot(j[2 * i] - j[2 * root], j[2 * i + 1] - j[2 * root + 1]);
  if (Math.min(len(restJoints, l), len(restJoints, r), len(posedJoints, l), len(posedJoints, r)) < 1e-6) {
    m.copyWithin(0, 6 * JOINT_INDEX.neck, 6 * JOINT_INDEX.neck + 6);
    angle[0] = angle[JOINT_INDEX.neck];
    return;
  }
  const theta = angle[l] + wrapAngle(angle[r] - angle[l]) / 2;
  const cos = Math.cos(theta), sin = Math.sin(theta);
  const px = restJoints[2 * root], py = restJoints[2 * root + 1];
  m[0] = cos; m[1] = sin; m[2] = -sin; m[3] = cos;
  m[4] = posedJoints[2 * root] - (cos * px - sin * py);
  m[5] = posedJoints[2 * root + 1] - (sin * px + cos * py);
  angle[0] = theta;
}

/** The joint two adjacent bones share (parent/child or siblings), −1 if none; the pelvis (0) shares the root. */
const SHARED_JOINT: Int8Array = (() => {
  const n = JOINTS.length;
  const t = new Int8Array(n * n).fill(-1);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (a === b) continue;
      if (PARENT[b] === a) t[a * n + b] = a;
      else if (PARENT[a] === b) t[a * n + b] = b;
      else if (PARENT[a] === PARENT[b]) t[a * n + b] = PARENT[a];
    }
  }
  return t;
})();

function wrapAngle(a: number): number {
  return a - 2 * Math.PI * Math.round(a / (2 * Math.PI));
}

/**
 * Posed vertex positions. Each vertex follows its main bone (weight slot 0) exactly; near a joint
 * it is further turned about the posed joint by its weight's share of the neighbouring bone's
 * relative rotation. Blending rotations instead of positions keeps a bent elbow or knee round on
 * the outside instead of collapsing it (what plain linear blend skinning does). Identity
 * transforms return the rest mesh bit for bit; vertices with one bone move exactly rigidly.
 */
export function deformRig(rig: Rig, t: BoneTransforms, out?: Float32Array): Float32Array {
  const rest = rig.rest;
  const res = out && out.length >= rest.length ? out : new Float32Array(rest.length);
  const { bones, w, perVertex } = rig.weights;
  const m = t.m;
  const angle = t.angle ?? Float64Array.from({ length: JOINTS.length }, (_, i) => Math.atan2(m[6 * i + 1], m[6 * i]));
  const rj = rig.restJoints;
  const n = JOINTS.length;
  const nV = rest.length / 2;
  for (let v = 0; v < nV; v++) {
    const x = rest[2 * v]; const y = rest[2 * v + 1];
    const b = bones[v * perVertex];
    const o = 6 * b;
    let px = m[o] * x + m[o + 2] * y + m[o + 4];
    let py = m[o + 1] * x + m[o + 3] * y + m[o + 5];
    for (let k = 1; k < perVertex; k++) {
      const wk = w[v * perVertex + k];
      if (wk === 0) continue;
      const other = bones[v * perVertex + k];
      const j = SHARED_JOINT[b * n + other];
      if (j < 0) continue;
      const phi = wk * wrapAngle(angle[other] - angle[b]);
      if (phi === 0) continue;
      // The shared joint where bone b puts it.
      const jx = m[o] * rj[2 * j] + m[o + 2] * rj[2 * j + 1] + m[o + 4];
      const jy = m[o + 1] * rj[2 * j] + m[o + 3] * rj[2 * j + 1] + m[o + 5];
      const cos = Math.cos(phi); const sin = Math.sin(phi);
      const dx = px - jx; const dy = py - jy;
      px = jx + cos * dx - sin * dy;
      py = jy + sin * dx + cos * dy;
    }
    res[2 * v] = px; res[2 * v + 1] = py;
  }
  return res;
}
