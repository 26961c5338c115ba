/** Bone transforms from joint positions, and linear blend skinning of the rig. */
import type { Rig } from './mesh.js';
import { smoothstep } from '../geometry/smoothstep.js';
import { JOINTS, JOINT_INDEX, PARENT, type JointPositions } from './skeleton.js';

/**
 * 6 per joint/bone: 2x3 affine (a, b, c, d, tx, ty): x' = a x + c y + tx, y' = b x + d y + ty.
 * `angle`: each bone's rotation (radians), used to blend rotations around joints.
 * `rigidHead`: the same 2x3 form, the head turned by its bone's rotation plus its twist, unscaled,
 * about the posed head joint (the nose).
 */
export interface BoneTransforms { m: Float64Array; angle?: Float64Array; rigidHead?: Float64Array }

export interface BoneTransformOptions {
  /**
   * Radians the face turns beyond its bone's direction: the bone aims at where the driver's face
   * is, the face turns as the driver's eye line does (retarget's headTwist).
   */
  headTwist?: number;
}

/**
 * Bone i: the rotation taking (rest[i] − rest[parent]) to (posed[i] − posed[parent]), a scale along
 * the bone by the length ratio (1 across it), and the translation mapping rest[parent] to
 * posed[parent]. The root follows the torso bone. Equal rest and posed joints give exact identities.
 */
export function boneTransforms(restJoints: JointPositions, posedJoints: JointPositions, o: BoneTransformOptions = {}): BoneTransforms {
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
  return { m, angle, rigidHead: rigidHeadTransform(restJoints, posedJoints, angle[JOINT_INDEX.head] + (o.headTwist ?? 0)) };
}

/** The rotation by `theta` about the head joint, taking its rest place to its posed one. */
function rigidHeadTransform(restJoints: JointPositions, posedJoints: JointPositions, theta: number): Float64Array {
  const h = JOINT_INDEX.head;
  const cos = Math.cos(theta), sin = Math.sin(theta);
  const x = restJoints[2 * h], y = restJoints[2 * h + 1];
  // The translation form (not R·(p − h) + h′) keeps the identity exact.
  return Float64Array.of(cos, sin, -sin, cos, posedJoints[2 * h] - (cos * x - sin * y), posedJoints[2 * h + 1] - (sin * x + cos * y));
}

/**
 * Along the neck→nose bone (0 at the neck, 1 at the nose), where the head starts to be drawn rigid,
 * and where it is wholly. A shorter blend folds the neck: the rigid head and the bone's scaled one
 * lie apart by (1 − k)(1 − along) of the bone, and a steep step between them squashes a head bone
 * shortened to k = 0.7 to a fifth (0.3…0.7); from 0.3 to the nose it is squashed to 0.6 at most.
 */
const RIGID_HEAD_FROM = 0.3;
const RIGID_HEAD_TO = 1;

/**
 * Per vertex, the share of it that moves with the rigid head: its weight on the head bone, times a
 * step along the bone, so the face keeps its shape in a nod and only the neck stretches or shrinks.
 */
function rigidHeadShares(rig: Rig): Float32Array {
  const cached = rigidShareCache.get(rig);
  if (cached) return cached;
  const { bones, w, perVertex } = rig.weights;
  const rj = rig.restJoints;
  const n = JOINT_INDEX.neck, h = JOINT_INDEX.head;
  const bx = rj[2 * h] - rj[2 * n], by = rj[2 * h + 1] - rj[2 * n + 1];
  const len2 = bx * bx + by * by;
  const nV = rig.rest.length / 2;
  const out = new Float32Array(nV);
  if (len2 < 1e-9) return out;
  for (let v = 0; v < nV; v++) {
    let weight = 0;
    for (let k = 0; k < perVertex; k++) if (bones[v * perVertex + k] === h) weight += w[v * perVertex + k];
    if (weight === 0) continue;
    const along = ((rig.rest[2 * v] - rj[2 * n]) * bx + (rig.rest[2 * v + 1] - rj[2 * n + 1]) * by) / len2;
    out[v] = weight * smoothstep(RIGID_HEAD_FROM, RIGID_HEAD_TO, along);
  }
  rigidShareCache.set(rig, out);
  return out;
}
const rigidShareCache = new WeakMap<Rig, Float32Array>();

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
 * the outside instead of collapsing it (what plain linear blend skinning does). The face is then
 * drawn towards the rigid head (`rigidHead`), so a nod moves it, never squashes it. Identity
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
  const head = t.rigidHead;
  const headShare = head ? rigidHeadShares(rig) : null;
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
    const s = headShare ? headShare[v] : 0;
    if (s > 0 && head) {
      px += s * (head[0] * x + head[2] * y + head[4] - px);
      py += s * (head[1] * x + head[3] * y + head[5] - py);
    }
    res[2 * v] = px; res[2 * v + 1] = py;
  }
  return res;
}
