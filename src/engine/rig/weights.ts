/**
 * Skinning weights. Each vertex belongs to the bone its triangles are labelled with (geodesic labels,
 * so an arm never drags the torso). Near a joint it blends with the bones meeting there, by how much
 * nearer it is to its own bone than to theirs; elsewhere limbs are rigid. Slot 0 holds the vertex's
 * own bone; deformRig turns the vertex about the shared joint by the other slots' shares.
 */
import { smoothstep } from '../geometry/smoothstep.js';
import { distToBone } from './labels.js';
import { JOINTS, JOINT_INDEX as J, PARENT, boneGroup, type JointPositions } from './skeleton.js';

export interface SkinWeights {
  /** perVertex bone indices per vertex (joint index of the bone; unused slots have weight 0). */
  bones: Uint8Array;
  w: Float32Array;
  perVertex: number;
}

const PER_VERTEX = 4;

/** Bones sharing a joint with bone b (its parent bone, its children, its siblings), with that joint. */
function adjacentBones(b: number): { bone: number; joint: number }[] {
  const out: { bone: number; joint: number }[] = [];
  const p = PARENT[b];
  for (let k = 1; k < JOINTS.length; k++) {
    if (k === b) continue;
    if (k === p) out.push({ bone: k, joint: p });
    else if (PARENT[k] === b) out.push({ bone: k, joint: b });
    else if (PARENT[k] === p) out.push({ bone: k, joint: p });
  }
  return out;
}

/** Slot 0 of the bone transforms: the pelvis, turning with the hip line (deform.ts). */
const PELVIS = 0;
/** Along the spine from the root, × the torso's length: all pelvis at or below this… */
const PELVIS_FULL = -0.05;
/** …all torso from this up (the waist). */
const PELVIS_NONE = 0.3;

/** The root and the unit spine direction (root → neck), with the torso's length; null without hips. */
function pelvisFrame(joints: JointPositions, present: readonly boolean[]): { x: number; y: number; ux: number; uy: number; len: number } | null {
  if (!present[J.l_hip] || !present[J.r_hip] || !present[J.root] || !present[J.neck]) return null;
  const x = joints[2 * J.root], y = joints[2 * J.root + 1];
  const dx = joints[2 * J.neck] - x, dy = joints[2 * J.neck + 1] - y;
  const len = Math.hypot(dx, dy);
  return len > 1e-6 ? { x, y, ux: dx / len, uy: dy / len, len } : null;
}

/** The torso's own slots (at most PER_VERTEX − 1, the torso first), their shares scaled to `total`. */
function torsoSlots(top: { bone: number; raw: number }[], total: number): { bone: number; w: number }[] {
  const kept = top.slice(0, PER_VERTEX - 1);
  const sum = kept.reduce((acc, c) => acc + c.raw, 0);
  return kept.map((c) => ({ bone: c.bone, w: (c.raw / sum) * total }));
}

export function skinningWeights(
  rest: Float32Array, triangles: Uint32Array, triBone: Uint8Array, joints: JointPositions,
  present: readonly boolean[], spacing: number,
): SkinWeights {
  const nV = rest.length / 2;
  // Primary bone of a vertex: the most frequent label among its triangles.
  const votes = new Uint16Array(nV * JOINTS.length);
  for (let t = 0; t < triBone.length; t++) {
    for (let k = 0; k < 3; k++) {
      const v = triangles[3 * t + k];
      votes[v * JOINTS.length + triBone[t]]++;
    }
  }
  const pelvis = pelvisFrame(joints, present);
  const boneLen = (b: number) => Math.hypot(joints[2 * b] - joints[2 * PARENT[b]], joints[2 * b + 1] - joints[2 * PARENT[b] + 1]);
  const bones = new Uint8Array(nV * PER_VERTEX);
  const w = new Float32Array(nV * PER_VERTEX);
  for (let v = 0; v < nV; v++) {
    let primary = 1; let best = 0;
    for (let b = 1; b < JOINTS.length; b++) {
      const c = votes[v * JOINTS.length + b];
      if (c > best) { best = c; primary = b; }
    }
    const x = rest[2 * v]; const y = rest[2 * v + 1];
    const dPrimary = distToBone(x, y, joints, primary);
    const cand: { bone: number; raw: number }[] = [{ bone: primary, raw: 1 }];
    for (const { bone, joint } of adjacentBones(primary)) {
      if (!present[bone] || !present[PARENT[bone]]) continue;
      // Within its own group only: vertices are never shared between groups.
      if (boneGroup(bone) !== boneGroup(primary)) continue;
      const width = Math.min(40, Math.max(2 * spacing / 3, 0.3 * Math.min(boneLen(bone), boneLen(primary))));
      if (Math.hypot(x - joints[2 * joint], y - joints[2 * joint + 1]) > 2.5 * width) continue;
      const raw = 1 - smoothstep(0, width, distToBone(x, y, joints, bone) - dPrimary);
      if (raw > 0) cand.push({ bone, raw });
    }
    cand.sort((a, b) => b.raw - a.raw);
    const top = cand.slice(0, PER_VERTEX);
    if (primary === J.neck && pelvis) {
      // The torso below the waist turns with the pelvis (deform.ts, slot 0), blending up to the
      // waist; below the root the pelvis leads, so the torso's stretch (about the root) does not
      // move the hips or a skirt.
      const s = (x - pelvis.x) * pelvis.ux + (y - pelvis.y) * pelvis.uy;
      const share = 1 - smoothstep(PELVIS_FULL * pelvis.len, PELVIS_NONE * pelvis.len, s);
      if (share > 0) {
        const slots = s < 0
          ? [{ bone: PELVIS, w: share }, { bone: J.neck, w: 1 - share }]
          : [...torsoSlots(top, 1 - share), { bone: PELVIS, w: share }];
        slots.forEach((c, i) => { bones[v * PER_VERTEX + i] = c.bone; w[v * PER_VERTEX + i] = c.w; });
        continue;
      }
    }
    const sum = top.reduce((s, c) => s + c.raw, 0);
    top.forEach((c, i) => { bones[v * PER_VERTEX + i] = c.bone; w[v * PER_VERTEX + i] = c.raw / sum; });
  }
  return { bones, w, perVertex: PER_VERTEX };
}
