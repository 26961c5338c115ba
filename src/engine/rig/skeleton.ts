/**
 * The 15-joint character skeleton (AnimatedDrawings' layout, built from COCO-17).
 * Bone i runs from PARENT[i] to joint i (i ≥ 1); the bone takes its child joint's index.
 */
import { KP, type Pose } from '../types.js';

export const JOINTS = ['root', 'neck', 'head', 'l_shoulder', 'l_elbow', 'l_wrist', 'r_shoulder', 'r_elbow', 'r_wrist',
  'l_hip', 'l_knee', 'l_ankle', 'r_hip', 'r_knee', 'r_ankle'] as const;
export type JointName = (typeof JOINTS)[number];
export const JOINT_INDEX = Object.fromEntries(JOINTS.map((n, i) => [n, i])) as Record<JointName, number>;

const PARENT_NAME: Record<JointName, JointName | null> = {
  root: null, neck: 'root', head: 'neck',
  l_shoulder: 'neck', l_elbow: 'l_shoulder', l_wrist: 'l_elbow',
  r_shoulder: 'neck', r_elbow: 'r_shoulder', r_wrist: 'r_elbow',
  l_hip: 'root', l_knee: 'l_hip', l_ankle: 'l_knee',
  r_hip: 'root', r_knee: 'r_hip', r_ankle: 'r_knee',
};
export const PARENT: readonly number[] = JOINTS.map((n) => {
  const p = PARENT_NAME[n];
  return p === null ? -1 : JOINT_INDEX[p];
});

/** (x, y) per joint, image px. */
export type JointPositions = Float64Array;

/**
 * Draw layers: the trunk, the head, and each limb split into its upper and lower part, so an upper
 * arm and its forearm (or a thigh and its shin) can sit at different depths.
 */
export type PartGroup = 'trunk' | 'head' | 'l_upper_arm' | 'l_forearm' | 'r_upper_arm' | 'r_forearm'
  | 'l_thigh' | 'l_shin' | 'r_thigh' | 'r_shin';
export const PART_GROUPS: readonly PartGroup[] = ['trunk', 'head', 'l_upper_arm', 'l_forearm', 'r_upper_arm', 'r_forearm',
  'l_thigh', 'l_shin', 'r_thigh', 'r_shin'];
export const ARM_GROUPS: ReadonlySet<PartGroup> = new Set<PartGroup>(['l_upper_arm', 'l_forearm', 'r_upper_arm', 'r_forearm']);
export const LEG_GROUPS: ReadonlySet<PartGroup> = new Set<PartGroup>(['l_thigh', 'l_shin', 'r_thigh', 'r_shin']);

/** Back to front when nothing better is known: legs behind the body, arms in front of it. */
export const DEFAULT_LAYER_ORDER: readonly PartGroup[] = ['l_shin', 'l_thigh', 'r_shin', 'r_thigh', 'trunk', 'head',
  'l_upper_arm', 'l_forearm', 'r_upper_arm', 'r_forearm'];

const BONE_GROUP: Record<JointName, PartGroup> = {
  root: 'trunk', neck: 'trunk', l_shoulder: 'trunk', r_shoulder: 'trunk', l_hip: 'trunk', r_hip: 'trunk',
  head: 'head',
  l_elbow: 'l_upper_arm', l_wrist: 'l_forearm', r_elbow: 'r_upper_arm', r_wrist: 'r_forearm',
  l_knee: 'l_thigh', l_ankle: 'l_shin', r_knee: 'r_thigh', r_ankle: 'r_shin',
};

/** The body-part group a bone (= its child joint index) is drawn with. */
export function boneGroup(bone: number): PartGroup {
  return BONE_GROUP[JOINTS[bone]];
}

/** Index of a group in PART_GROUPS. */
export function groupIndex(g: PartGroup): number {
  return PART_GROUPS.indexOf(g);
}

/** The joint where a group hangs from its parent group (trunk has none). */
export const GROUP_ATTACH_JOINT: Record<PartGroup, number> = {
  trunk: -1, head: JOINT_INDEX.neck,
  l_upper_arm: JOINT_INDEX.l_shoulder, l_forearm: JOINT_INDEX.l_elbow,
  r_upper_arm: JOINT_INDEX.r_shoulder, r_forearm: JOINT_INDEX.r_elbow,
  l_thigh: JOINT_INDEX.l_hip, l_shin: JOINT_INDEX.l_knee,
  r_thigh: JOINT_INDEX.r_hip, r_shin: JOINT_INDEX.r_knee,
};

/** The joint ending a layer's first bone (the one leaving its attach joint); −1 for the trunk. */
export function firstBoneOf(g: PartGroup): number {
  const j = GROUP_ATTACH_JOINT[g];
  return j < 0 ? -1 : PARENT.findIndex((p, i) => i > 0 && p === j && boneGroup(i) === g);
}

/** The whole limb a layer belongs to ('l_arm' for 'l_upper_arm' and 'l_forearm'); trunk and head are their own. */
export function limbOf(g: PartGroup): string {
  switch (g) {
    case 'l_upper_arm': case 'l_forearm': return 'l_arm';
    case 'r_upper_arm': case 'r_forearm': return 'r_arm';
    case 'l_thigh': case 'l_shin': return 'l_leg';
    case 'r_thigh': case 'r_shin': return 'r_leg';
    case 'trunk': case 'head': return g;
  }
}

/** The group a group hangs from (trunk: none). */
export const GROUP_PARENT: Record<PartGroup, PartGroup | null> = {
  trunk: null, head: 'trunk',
  l_upper_arm: 'trunk', l_forearm: 'l_upper_arm', r_upper_arm: 'trunk', r_forearm: 'r_upper_arm',
  l_thigh: 'trunk', l_shin: 'l_thigh', r_thigh: 'trunk', r_shin: 'r_thigh',
};

function mid(pose: Pose, a: number, b: number): [number, number, number] {
  return [(pose[a].x + pose[b].x) / 2, (pose[a].y + pose[b].y) / 2, Math.min(pose[a].score, pose[b].score)];
}

/**
 * Character joints from COCO-17: root = mid-hip, neck = mid-shoulder, head = nose (or, when the nose
 * is unseen, the mean of the seen eyes/ears). Confidence per joint is the weakest keypoint it uses.
 */
export function jointsFromCoco(pose: Pose): { joints: JointPositions; confidence: Float64Array } {
  const joints = new Float64Array(2 * JOINTS.length);
  const confidence = new Float64Array(JOINTS.length);
  const set = (j: number, x: number, y: number, c: number) => {
    joints[2 * j] = x; joints[2 * j + 1] = y; confidence[j] = c;
  };
  const copy = (j: number, k: number) => set(j, pose[k].x, pose[k].y, pose[k].score);
  const [rx, ry, rc] = mid(pose, KP.left_hip, KP.right_hip);
  set(JOINT_INDEX.root, rx, ry, rc);
  const [nx, ny, nc] = mid(pose, KP.left_shoulder, KP.right_shoulder);
  set(JOINT_INDEX.neck, nx, ny, nc);
  const nose = pose[KP.nose];
  const face = [KP.left_eye, KP.right_eye, KP.left_ear, KP.right_ear].map((k) => pose[k]).filter((p) => p.score >= 0.3);
  if (nose.score < 0.3 && face.length > 0) {
    const n = face.length;
    set(JOINT_INDEX.head, face.reduce((s, p) => s + p.x, 0) / n, face.reduce((s, p) => s + p.y, 0) / n,
      Math.min(...face.map((p) => p.score)));
  } else copy(JOINT_INDEX.head, KP.nose);
  copy(JOINT_INDEX.l_shoulder, KP.left_shoulder);
  copy(JOINT_INDEX.l_elbow, KP.left_elbow);
  copy(JOINT_INDEX.l_wrist, KP.left_wrist);
  copy(JOINT_INDEX.r_shoulder, KP.right_shoulder);
  copy(JOINT_INDEX.r_elbow, KP.right_elbow);
  copy(JOINT_INDEX.r_wrist, KP.right_wrist);
  copy(JOINT_INDEX.l_hip, KP.left_hip);
  copy(JOINT_INDEX.l_knee, KP.left_knee);
  copy(JOINT_INDEX.l_ankle, KP.left_ankle);
  copy(JOINT_INDEX.r_hip, KP.right_hip);
  copy(JOINT_INDEX.r_knee, KP.right_knee);
  copy(JOINT_INDEX.r_ankle, KP.right_ankle);
  return { joints, confidence };
}
