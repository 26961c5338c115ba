/**
 * The driving frame that looks most like the character's own pose (its reference), and the bone
 * lengths of every frame relative to it.
 *
 * Why: a bone's 2D length already carries its foreshortening in the picture. The character's rest
 * lengths are what it looks like in the pose of its picture, so the driver's lengths are best compared
 * with the driver's in the same pose, not with the longest seen: a forearm short at rest stays as it
 * is at rest and grows when the driver stretches it out. Pure.
 */
import { JOINTS, JOINT_INDEX, PARENT, type JointPositions } from '../rig/skeleton.js';
import type { DrivingTrack } from './retarget.js';
import { angleOf, boneLength, clamp, confident, interpolateNulls, movingAverage, percentile, wrapAngle } from './geometry.js';

const J = JOINT_INDEX;
const N_JOINTS = JOINTS.length;
export const LIMB_BONES: readonly number[] = [J.l_elbow, J.l_wrist, J.r_elbow, J.r_wrist, J.l_knee, J.l_ankle, J.r_knee, J.r_ankle];
/** A bone within this angle of the character's is taken as posed alike, and its lengths compared. */
const SAME_POSE_ANGLE = (20 * Math.PI) / 180;
/**
 * A reference farther than this (mean over the bones) is no reference: nothing in the video is posed
 * as the character is. (A cartoon bust 10° off its driver was drawn worse, by the limb-angle bench, when
 * measured against such a reference than against the driver's full lengths.)
 */
const MAX_REFERENCE_DISTANCE = (8 * Math.PI) / 180;
/** A limb pointing at the camera is drawn at least this share of its length (its texture squashed no further). */
const MIN_FORESHORTENING = 0.45;
/** Without a reference, within 10% of the usual full length counts as full, so pose noise does not shrink the character. */
const FULL_LENGTH_SHARE = 0.9;
/** A limb stretched out beyond its rest length grows at most this much (its texture stretched no further). */
const MAX_STRETCH = 1.5;
/** Shoulder and hip lines narrow as the driver turns, and widen back, within this. */
const GIRDLE_RANGE: [number, number] = [0.6, 1.25];
/**
 * The torso and the neck-to-head bone shorten in a bow or a nod, within this. (The torso is
 * scaled about the root; what lies below the root, hips and a skirt, follows the pelvis, which
 * keeps its size: rig/deform.ts.)
 */
const SPINE_RANGE: [number, number] = [0.7, 1.25];

export interface Reference {
  frame: number;
  /** Mean absolute angle between the character's bones and the driver's at that frame, radians. */
  distance: number;
}


/**
 * The frame whose bone directions are nearest the character's rest pose (mean absolute angle over
 * the bones seen in both, at least half of them), or null when no frame is within 8°.
 */
export function referenceFrame(rest: JointPositions, present: readonly boolean[], d: DrivingTrack): Reference | null {
  let best: Reference | null = null;
  const bones = JOINTS.map((_, i) => i).filter((i) => i > 0 && present[i] && present[PARENT[i]]);
  d.joints.forEach((j, t) => {
    const c = d.confidence[t];
    if (!confident(c, J.root, J.neck)) return;
    let sum = 0, n = 0;
    for (const i of bones) {
      if (!confident(c, PARENT[i], i)) continue;
      sum += Math.abs(wrapAngle(angleOf(j, PARENT[i], i) - angleOf(rest, PARENT[i], i)));
      n++;
    }
    if (n < bones.length / 2) return;
    const distance = sum / n;
    if (!best || distance < best.distance) best = { frame: t, distance };
  });
  return best !== null && (best as Reference).distance <= MAX_REFERENCE_DISTANCE ? best : null;
}


/**
 * Per frame, per bone: the length to draw it at, as a share of the character's rest length.
 * With a reference, where the driver's bone points as the character's does, it is the driver's
 * length over the driver's at the reference (limbs within 0.45…1.5, girdles 0.6…1.25, torso and neck 0.7…1.25;
 * a bust's torso and neck, cut off by its picture, keep their length: `spine` false).
 * Other limbs: the driver's length over its usual full length (the 90th percentile; within 10% counts
 * as full), at most 1, smoothed over about 0.1 s. Other core bones stay at 1. Unseen frames take
 * their neighbours' values.
 */
export function boneScales(d: DrivingTrack, rest: JointPositions, ref: Reference | null, o: { spine: boolean }): Float64Array[] {
  const n = d.joints.length;
  const out = Array.from({ length: n }, () => new Float64Array(N_JOINTS).fill(1));
  const rj = ref ? d.joints[ref.frame] : null;
  const rc = ref ? d.confidence[ref.frame] : null;
  for (let i = 1; i < N_JOINTS; i++) {
    const p = PARENT[i];
    const lens = d.joints.map((j, t) => (confident(d.confidence[t], p, i) ? boneLength(j, p, i) : null));
    const seenLens = lens.filter((v): v is number => v !== null);
    if (seenLens.length < 3) continue;
    const full = percentile(seenLens, 0.9);
    if (!(full > 0)) continue;
    const limb = LIMB_BONES.includes(i);
    if ((i === J.neck || i === J.head) && !o.spine) continue;
    const alike = rj !== null && rc !== null && confident(rc, p, i)
      && Math.abs(wrapAngle(angleOf(rj, p, i) - angleOf(rest, p, i))) <= SAME_POSE_ANGLE && boneLength(rj, p, i) > 0;
    let base: number, lo: number, hi: number;
    if (alike) {
      base = boneLength(rj, p, i);
      [lo, hi] = limb ? [MIN_FORESHORTENING, clamp(full / base, 1, MAX_STRETCH)] : i === J.neck || i === J.head ? SPINE_RANGE : GIRDLE_RANGE;
    } else if (limb) {
      base = FULL_LENGTH_SHARE * full;
      [lo, hi] = [MIN_FORESHORTENING, 1];
    } else continue;
    const ratios = interpolateNulls(lens.map((v) => (v === null ? null : clamp(v / base, lo, hi))));
    // Against a reference, not smoothed again (the track is; a second pass would move the character
    // at its reference). Against the full length, over about 0.1 s: the flicker of a limb's length
    // confuses the eye (and a pose model) more than a frame's lag.
    const smooth = alike ? ratios : movingAverage(ratios, Math.max(1, Math.round(d.fps / 20)));
    for (let t = 0; t < n; t++) out[t][i] = smooth[t];
  }
  return out;
}

/** Below this the character's bone and the driver's at the reference differ by the pose models' noise… */
const BIAS_FULL = (3 * Math.PI) / 180;
/** …above this by a real difference of pose, which the character does not keep. */
const BIAS_NONE = (8 * Math.PI) / 180;

/** 1 below `full`, 0 above `none`, linear between. */
export function fade(value: number, full: number, none: number): number {
  return value <= full ? 1 : value >= none ? 0 : (none - value) / (none - full);
}

/**
 * Per bone (the spine and the limbs): the angle to add to the driver's so that at the reference the
 * character is drawn exactly as in its picture. Two pose models (one on the picture, one on the
 * video) seldom agree to the pixel; where they differ by a few degrees that is their noise, and
 * copying it would move a still character at its first frame. Larger differences are pose, and fade out.
 */
export function angleBias(rest: JointPositions, d: DrivingTrack, ref: Reference | null): Float64Array {
  const out = new Float64Array(N_JOINTS);
  if (!ref) return out;
  const rj = d.joints[ref.frame], rc = d.confidence[ref.frame];
  for (const i of [J.neck, ...LIMB_BONES]) {
    const p = PARENT[i];
    if (!confident(rc, p, i)) continue;
    const diff = wrapAngle(angleOf(rest, p, i) - angleOf(rj, p, i));
    out[i] = diff * fade(Math.abs(diff), BIAS_FULL, BIAS_NONE);
  }
  return out;
}
