/**
 * Retargeting: the driving person's bone angles applied to the character's own bone lengths.
 *
 * Output joints are in the character's space (reference-image pixels); the render transform maps
 * that space onto the output canvas. Pure: no I/O, unit-tested on synthetic tracks.
 */
import { JOINTS, JOINT_INDEX, PARENT, type JointPositions, type PartGroup } from '../rig/skeleton.js';
import type { CharacterOrientation } from '../../domain/orientation.js';
import { stableFacing } from './facing.js';
import type { JointDepths } from '../pose/depth.js';
import { foldHalfTurn } from '../pose/head-roll.js';
import { coverFit } from '../output-format.js';
import { planDepthOrder, type DepthCueFrame } from './depth-order.js';
import { angleBias, boneScales, fade, LIMB_BONES, referenceFrame, type Reference } from './reference.js';
import {
  angleOf, boneLength, clamp, confident, interpolateNulls, lowestAnkleY, median, movingAverage, percentile, wrapAngle,
} from './geometry.js';

export interface CharacterSkeleton {
  rest: JointPositions;
  /** Joints seen in the reference image; bones to absent joints (e.g. legs cut off) are not rigged. */
  present: readonly boolean[];
  imageWidth: number;
  imageHeight: number;
}

export interface DrivingTrack {
  width: number;
  height: number;
  fps: number;
  joints: JointPositions[];
  confidence: Float64Array[];
  /** Per frame: person turned away (true), facing the camera (false), undecided (null). */
  facingAway: (boolean | null)[];
  /** Per frame: per-joint depth (BlazePose z); absent when no landmarks were taken. */
  depth?: JointDepths[];
  /** Per frame: the eye (or ear) line's angle, folded to a half turn (`headRoll`); null where unseen. */
  headRoll?: (number | null)[];
  /** Per frame: the mean of the face points seen (`faceCentre`); null where unseen. */
  faceCentre?: ([number, number] | null)[];
}

export interface RenderTransform { scale: number; dx: number; dy: number }

export interface RetargetFrame {
  /** Posed joints in character space, ready for boneTransforms(rest, joints). */
  joints: JointPositions;
  /** Draw the character mirrored about the canvas' vertical centre line. */
  mirror: boolean;
  order: PartGroup[];
  /** Radians the face turns beyond its bone (boneTransforms' headTwist), in the drawn (mirrored) space. */
  headTwist: number;
}

export interface RetargetPlan {
  canvasWidth: number;
  canvasHeight: number;
  transform: RenderTransform;
  frames: RetargetFrame[];
}

const J = JOINT_INDEX;
const N_JOINTS = JOINTS.length;
const LEG_BONES = new Set([J.l_knee, J.l_ankle, J.r_knee, J.r_ankle]);
const GIRDLE_BONES = [J.l_shoulder, J.r_shoulder, J.l_hip, J.r_hip];
const LR_PAIRS: [number, number][] = [
  [J.l_shoulder, J.r_shoulder], [J.l_elbow, J.r_elbow], [J.l_wrist, J.r_wrist],
  [J.l_hip, J.r_hip], [J.l_knee, J.r_knee], [J.l_ankle, J.r_ankle],
];
const HEAD_TILT_LIMIT = (35 * Math.PI) / 180;
/** The head bone aims at the face, at most this far from the face's own turn (the rest is the neck's bend). */
const HEAD_AIM_SPREAD = (15 * Math.PI) / 180;
/** A shoulder or hip line turns against the spine (as it did at the reference) by at most this… */
const GIRDLE_TURN_LIMIT = (20 * Math.PI) / 180;
/** …and a turn beyond this is a label flip or noise, not a turn: the girdle stays square to the spine. */
const GIRDLE_FLIP = (35 * Math.PI) / 180;
/** A bust (no legs in the picture) pivots at its cut edge: tilting it far would show the cut. */
const BUST_TILT_LIMIT = (12 * Math.PI) / 180;


/** Swap left/right joints: the person is seen from behind, so image sides map to the other labels. */
function swapSides(joints: JointPositions, conf: Float64Array): { joints: JointPositions; conf: Float64Array } {
  const j2 = Float64Array.from(joints);
  for (const [a, b] of LR_PAIRS) {
    j2[2 * a] = joints[2 * b]; j2[2 * a + 1] = joints[2 * b + 1];
    j2[2 * b] = joints[2 * a]; j2[2 * b + 1] = joints[2 * a + 1];
  }
  return { joints: j2, conf: swapPerJoint(conf) };
}

function swapPerJoint(values: Float64Array): Float64Array {
  const out = Float64Array.from(values);
  for (const [a, b] of LR_PAIRS) { out[a] = values[b]; out[b] = values[a]; }
  return out;
}

/** Sum of torso and mean leg lengths, or the torso alone when legs are missing. */
function bodyLength(joints: JointPositions, conf: Float64Array | null, withLegs: boolean): number | null {
  const ok = (...js: number[]) => conf === null || confident(conf, ...js);
  if (!ok(J.root, J.neck)) return null;
  const torso = boneLength(joints, J.root, J.neck);
  if (!withLegs) return torso;
  const legs: number[] = [];
  for (const [hip, knee, ankle] of [[J.l_hip, J.l_knee, J.l_ankle], [J.r_hip, J.r_knee, J.r_ankle]]) {
    if (ok(hip, knee, ankle)) legs.push(boneLength(joints, hip, knee) + boneLength(joints, knee, ankle));
  }
  if (legs.length === 0) return null;
  return torso + legs.reduce((a, b) => a + b, 0) / legs.length;
}

function legsPresent(present: readonly boolean[]): boolean {
  return [J.l_knee, J.l_ankle, J.r_knee, J.r_ankle].every((j) => present[j]);
}

/** Share of frames in which the driving person's legs are seen. */
function drivingLegsShare(d: DrivingTrack): number {
  if (d.joints.length === 0) return 0;
  let n = 0;
  for (const c of d.confidence) if (confident(c, J.l_knee, J.r_knee, J.l_ankle, J.r_ankle)) n++;
  return n / d.joints.length;
}

interface ChainInput {
  rest: JointPositions; dj: JointPositions; dc: Float64Array; root: [number, number];
  headOffset: number; useLegs: boolean; torsoLimit: number;
  /** Per bone: its length as a share of its rest length (1 where absent). */
  lengthScale?: Float64Array;
  /** Per girdle bone: its turn against the spine (0 where absent). */
  girdleTurns?: Float64Array;
  /** Per bone (spine and limbs): added to the driver's angle (0 where absent). */
  angleBias?: Float64Array;
}

/**
 * Poses the character with the driving bone directions, rooted at `root`.
 * Limbs copy the driving global angle (plus any bias); shoulders and hips turn with the torso, and
 * against it by `girdleTurns`;
 * the head turns with the torso plus a bounded nod/tilt; unseen limbs keep their rest angle
 * relative to their parent (legs: relative to the world, so a half-body video keeps them still).
 */
function poseChain({ rest, dj, dc, root, headOffset, useLegs, torsoLimit, lengthScale, girdleTurns, angleBias }: ChainInput): JointPositions {
  const out = new Float64Array(2 * N_JOINTS);
  const rot = new Float64Array(N_JOINTS); // rotation applied to each bone relative to rest
  out[0] = root[0]; out[1] = root[1];
  const restAngle = (i: number) => angleOf(rest, PARENT[i], i);
  const drivingAngle = (i: number) => angleOf(dj, PARENT[i], i) + (angleBias ? angleBias[i] : 0);

  const torsoRot = confident(dc, J.root, J.neck)
    ? clamp(wrapAngle(drivingAngle(J.neck) - restAngle(J.neck)), -torsoLimit, torsoLimit) : 0;
  for (let i = 1; i < N_JOINTS; i++) {
    const p = PARENT[i];
    let r: number;
    if (i === J.neck) r = torsoRot;
    else if (GIRDLE_BONES.includes(i)) r = torsoRot + (girdleTurns ? girdleTurns[i] : 0);
    else if (i === J.head) r = torsoRot + headOffset;
    else if (LEG_BONES.has(i) && !useLegs) r = 0;
    else if (LIMB_BONES.includes(i) && confident(dc, p, i)) r = wrapAngle(drivingAngle(i) - restAngle(i));
    else r = LEG_BONES.has(i) ? 0 : rot[p];
    rot[i] = r;
    const len = boneLength(rest, p, i) * (lengthScale ? lengthScale[i] : 1);
    const a = restAngle(i) + r;
    out[2 * i] = out[2 * p] + len * Math.cos(a);
    out[2 * i + 1] = out[2 * p + 1] + len * Math.sin(a);
  }
  return out;
}

function shift(joints: JointPositions, dx: number, dy: number): void {
  for (let i = 0; i < N_JOINTS; i++) { joints[2 * i] += dx; joints[2 * i + 1] += dy; }
}

/**
 * Per frame, the head against the torso since the reference (else its typical value), bounded:
 * `turn`, how the face turns (the eye line where the track has it, frames between seen ones
 * interpolated, else the neck→nose direction, which a nod or a turned face also moves), and `aim`,
 * where the head bone points (at the face's centre, within 15° of the turn; as the turn where the
 * track has no face centre), so the character's face is drawn where the driver's is and not swung
 * about the neck by the eye line's tilt.
 */
function headOffsets(d: DrivingTrack, ref: Reference | null): { turn: number[]; aim: number[] } {
  const upright = (j: JointPositions) => angleOf(j, J.root, J.neck) + Math.PI / 2;
  const spine = (t: number) => confident(d.confidence[t], J.root, J.neck);
  const byNose = d.joints.map((j, t) => (confident(d.confidence[t], J.root, J.neck, J.head)
    ? wrapAngle(angleOf(j, J.neck, J.head) - angleOf(j, J.root, J.neck)) : null));
  const byRoll = d.headRoll?.map((roll, t) => (roll !== null && roll !== undefined && spine(t)
    ? foldHalfTurn(roll - upright(d.joints[t])) : null));
  const byFace = d.faceCentre?.map((c, t) => {
    if (!c || !spine(t)) return null;
    const j = d.joints[t];
    return wrapAngle(Math.atan2(c[1] - j[2 * J.neck + 1], c[0] - j[2 * J.neck]) - angleOf(j, J.root, J.neck));
  });
  const sinceReference = (rel: (number | null)[]): number[] => {
    const seen = rel.filter((v): v is number => v !== null);
    const typical = ref && rel[ref.frame] !== null ? rel[ref.frame]! : seen.length ? median(seen) : 0;
    return rel.map((v) => (v === null ? 0 : clamp(wrapAngle(v - typical), -HEAD_TILT_LIMIT, HEAD_TILT_LIMIT)));
  };
  const turn = sinceReference(byRoll?.some((v) => v !== null) ? interpolateNulls(byRoll) : byNose);
  if (!byFace?.some((v) => v !== null)) return { turn, aim: turn };
  const aim = sinceReference(interpolateNulls(byFace));
  return { turn, aim: aim.map((a, t) => clamp(a, turn[t] - HEAD_AIM_SPREAD, turn[t] + HEAD_AIM_SPREAD)) };
}

/**
 * Per girdle bone: how far the driver's shoulder or hip line has turned against the spine since the
 * reference (a shrug, a hip sway), bounded; 0 where unseen or flipped.
 */
function girdleTurns(rj: JointPositions, rc: Float64Array, dj: JointPositions, dc: Float64Array): Float64Array {
  const out = new Float64Array(N_JOINTS);
  if (!confident(rc, J.root, J.neck) || !confident(dc, J.root, J.neck)) return out;
  const spine = wrapAngle(angleOf(dj, J.root, J.neck) - angleOf(rj, J.root, J.neck));
  for (const i of GIRDLE_BONES) {
    const p = PARENT[i];
    if (!confident(rc, p, i) || !confident(dc, p, i)) continue;
    const turn = wrapAngle(angleOf(dj, p, i) - angleOf(rj, p, i) - spine);
    out[i] = Math.abs(turn) > GIRDLE_FLIP ? 0 : clamp(turn, -GIRDLE_TURN_LIMIT, GIRDLE_TURN_LIMIT);
  }
  return out;
}

/**
 * Video orientation: the driver at the reference stands where the character stands in its picture
 * (drawn at the canvas' scale) but for a few pixels (under 3% of the body's length; fading out by 8%):
 * the pose models' noise, so the character is moved by that much to be drawn just where its picture has it.
 */
function placeFix(ch: CharacterSkeleton, d: DrivingTrack, ref: Reference | null, toChar: number, charLen: number,
  inPicture: (v: number, axis: 'dx' | 'dy') => number): { x: number; y: number; feet: number } {
  const none = { x: 0, y: 0, feet: 0 };
  if (!ref || !confident(d.confidence[ref.frame], J.root)) return none;
  const rj = d.joints[ref.frame];
  const x = inPicture(ch.rest[0], 'dx') - rj[0] * toChar, y = inPicture(ch.rest[1], 'dy') - rj[1] * toChar;
  const w = fade(Math.hypot(x, y) / Math.max(charLen, 1e-6), 0.03, 0.08);
  const feet = confident(d.confidence[ref.frame], J.l_ankle, J.r_ankle)
    ? inPicture(lowestAnkleY(ch.rest), 'dy') - lowestAnkleY(rj) * toChar : y;
  return { x: w * x, y: w * y, feet: w * feet };
}

export interface RetargetOptions {
  orientation: CharacterOrientation;
  canvasWidth: number;
  canvasHeight: number;
}

/**
 * A half-body presenter (hips out of frame): where the shoulders are seen but the mid-hip is not, the
 * root is put one torso length below the shoulders, square to their line, so the upper body is driven
 * and not left unplaced. The torso length is the person's own where seen, else from the shoulder width
 * in the character's proportions.
 */
export function withVirtualRoots(d: DrivingTrack, ch: CharacterSkeleton): DrivingTrack {
  const torsos = d.joints.filter((_, t) => confident(d.confidence[t], J.root, J.neck)).map((j) => boneLength(j, J.root, J.neck));
  const shoulders = d.joints.filter((_, t) => confident(d.confidence[t], J.l_shoulder, J.r_shoulder))
    .map((j) => boneLength(j, J.l_shoulder, J.r_shoulder));
  const charRatio = boneLength(ch.rest, J.root, J.neck) / Math.max(1e-6, boneLength(ch.rest, J.l_shoulder, J.r_shoulder));
  const torso = torsos.length >= Math.max(3, 0.2 * d.joints.length) ? median(torsos)
    : shoulders.length ? median(shoulders) * clamp(charRatio, 0.8, 2.5) : NaN;
  if (!(torso > 0)) return d;
  const joints = d.joints.map((j) => Float64Array.from(j));
  const confidence = d.confidence.map((c) => Float64Array.from(c));
  joints.forEach((j, t) => {
    const c = confidence[t];
    if (confident(c, J.root) || !confident(c, J.l_shoulder, J.r_shoulder)) return;
    const dx = j[2 * J.l_shoulder] - j[2 * J.r_shoulder];
    const dy = j[2 * J.l_shoulder + 1] - j[2 * J.r_shoulder + 1];
    const w = Math.hypot(dx, dy);
    // Down, square to the shoulder line (straight down when the line is too short to say: a profile).
    let [ux, uy] = w > 0.25 * torso ? [-dy / w, dx / w] : [0, 1];
    if (uy < 0) [ux, uy] = [-ux, -uy];
    j[2 * J.root] = j[2 * J.neck] + ux * torso;
    j[2 * J.root + 1] = j[2 * J.neck + 1] + uy * torso;
    c[J.root] = Math.min(c[J.l_shoulder], c[J.r_shoulder]);
  });
  return { ...d, joints, confidence };
}

export function planRetarget(ch: CharacterSkeleton, driving: DrivingTrack, o: RetargetOptions): RetargetPlan {
  const d = withVirtualRoots(driving, ch);
  const n = d.joints.length;
  const facing = stableFacing(d.facingAway, d.fps);
  const charLegs = legsPresent(ch.present);
  const useLegs = charLegs && drivingLegsShare(d) >= 0.3;
  const ref = referenceFrame(ch.rest, ch.present, d);
  const heads = headOffsets(d, ref);
  const lengths = boneScales(d, ch.rest, ref, { spine: charLegs });
  const bias = angleBias(ch.rest, d, ref);
  const swappedBias = swapPerJoint(bias);

  // Bodies measured with or without legs, the same way on both sides.
  const charLen = bodyLength(ch.rest, null, useLegs) ?? boneLength(ch.rest, J.root, J.neck);
  const personLens = d.joints.map((j, t) => bodyLength(j, d.confidence[t], useLegs)).filter((v): v is number => v !== null);
  // Measured at the reference where it has one (the driver posed as the character is), else typical.
  const refLen = ref ? bodyLength(d.joints[ref.frame], d.confidence[ref.frame], useLegs) : null;
  const personLen = refLen ?? (personLens.length ? median(personLens) : charLen);

  const video = o.orientation === 'video';
  // A character cut off by its image's bottom edge (no legs) is a bust: in video orientation its cut
  // edge stays on the canvas' bottom edge, and it is drawn at least 60% of the canvas tall.
  const bust = video && !charLegs;
  const headTop = ch.rest[2 * J.head + 1] - 0.6 * boneLength(ch.rest, J.root, J.neck);
  const bustScale = (0.6 * o.canvasHeight) / Math.max(1, ch.imageHeight - headTop);
  const personScale = (personLen * (o.canvasWidth / d.width)) / Math.max(charLen, 1e-6);
  // Where the plate puts the character's picture. A character drawn within noise of that scale is
  // drawn at it: its texture then lines up with its own picture's pixels (and with a video it came from).
  const picture = coverFit(ch.imageWidth, ch.imageHeight, o.canvasWidth, o.canvasHeight, 'bottom');
  const snap = fade(Math.abs(personScale / picture.scale - 1), 0.03, 0.08);
  const transform: RenderTransform = video
    ? { scale: bust ? Math.max(personScale, bustScale) : personScale + (picture.scale - personScale) * snap, dx: 0, dy: 0 }
    : { scale: o.canvasWidth / ch.imageWidth, dx: 0, dy: 0 };
  const bustRootY = ch.rest[1] + o.canvasHeight / transform.scale - ch.imageHeight;
  const toChar = video ? o.canvasWidth / d.width / transform.scale : charLen / Math.max(personLen, 1e-6);
  const fix = video && !bust ? placeFix(ch, d, ref, toChar, charLen, (v, axis) => (v * picture.scale + picture[axis]) / transform.scale)
    : { x: 0, y: 0, feet: 0 };

  // Image orientation: root motion is relative to where the person usually stands.
  const roots = d.joints.filter((_, t) => confident(d.confidence[t], J.root));
  const refX = roots.length ? median(roots.map((j) => j[0])) : d.width / 2;
  const refY = roots.length ? median(roots.map((j) => j[1])) : d.height / 2;
  const ankles = d.joints.map((j, t) => (confident(d.confidence[t], J.l_ankle, J.r_ankle) ? lowestAnkleY(j) : null));
  const seenAnkles = ankles.filter((v): v is number => v !== null);
  const drivingGround = seenAnkles.length ? percentile(seenAnkles, 0.9) : 0;
  const restGround = lowestAnkleY(ch.rest);

  const posed: JointPositions[] = [];
  const footOffset: (number | null)[] = [];
  const mirror: boolean[] = [];
  const depthCues: DepthCueFrame[] = [];
  for (let t = 0; t < n; t++) {
    let dj = d.joints[t];
    let dc = d.confidence[t];
    const away = facing[t];
    const depth = d.depth?.[t];
    // Seen from behind, the person's left limbs are on the image's left. In image orientation the
    // character keeps facing us, so image sides drive image sides (swap labels). In video
    // orientation the character is mirrored instead, and labels stay anatomical.
    const swap = away && !video;
    if (swap) ({ joints: dj, conf: dc } = swapSides(dj, dc));
    mirror.push(away && video);
    depthCues.push({
      joints: dj, confidence: dc,
      z: depth ? (swap ? swapPerJoint(depth.z) : depth.z) : null,
      visibility: depth ? (swap ? swapPerJoint(depth.visibility) : depth.visibility) : null,
      reversed: away,
    });

    const hasRoot = confident(dc, J.root);
    const root: [number, number] = video
      ? (hasRoot ? [dj[0] * toChar + fix.x, bust ? bustRootY : dj[1] * toChar + fix.y] : [NaN, NaN])
      : (hasRoot && charLegs ? [ch.rest[0] + (dj[0] - refX) * toChar, ch.rest[1] + (dj[1] - refY) * toChar] : [ch.rest[0], ch.rest[1]]);
    // Seen from behind, the labels were swapped: so are the lengths' (they were measured by label).
    const lengthScale = swap ? swapPerJoint(lengths[t]) : lengths[t];
    const p = poseChain({
      rest: ch.rest, dj, dc, root, headOffset: heads.aim[t], useLegs, torsoLimit: charLegs ? Math.PI : BUST_TILT_LIMIT, lengthScale,
      girdleTurns: ref ? girdleTurns(d.joints[ref.frame], d.confidence[ref.frame], dj, dc) : undefined,
      angleBias: swap ? swappedBias : bias,
    });
    posed.push(p);

    // A character cut off by the image's edge (no legs) stays rooted: moving it would show the cut.
    // Feet on the ground: where the person's ankles are seen, the character's lowest ankle goes
    // where the person's goes (video) or lifts off its own ground as much as the person's does (image).
    if (useLegs && ankles[t] !== null) {
      const target = video ? ankles[t]! * toChar + fix.feet : restGround - Math.max(0, drivingGround - ankles[t]!) * toChar;
      footOffset.push(target - lowestAnkleY(p));
    } else footOffset.push(null);
  }

  fillRootGaps(posed);
  const offsets = movingAverage(interpolateNulls(footOffset), Math.max(1, Math.round(d.fps / 10)));
  for (let t = 0; t < n; t++) shift(posed[t], 0, offsets[t]);
  if (!video) keepInFrame(posed, ch.imageWidth, ch.imageHeight, boneLength(ch.rest, J.root, J.neck) * 0.6, d.fps, charLegs);
  else if (bust) keepInFrame(posed, o.canvasWidth / transform.scale, Infinity, boneLength(ch.rest, J.root, J.neck) * 0.6, d.fps, false);

  const orders = planDepthOrder(depthCues, d.fps);
  const frames: RetargetFrame[] = posed.map((joints, t) => ({
    joints: mirror[t] ? mirrorJoints(joints, o.canvasWidth / transform.scale) : joints,
    mirror: mirror[t],
    order: orders[t],
    // Mirrored joints turn the other way, and so must the face's twist.
    headTwist: (mirror[t] ? -1 : 1) * (heads.turn[t] - heads.aim[t]),
  }));
  return { canvasWidth: o.canvasWidth, canvasHeight: o.canvasHeight, transform, frames };
}

/** Mirrors joints so that, once drawn mirrored about the canvas centre, they land where planned. */
function mirrorJoints(joints: JointPositions, widthInCharSpace: number): JointPositions {
  const out = Float64Array.from(joints);
  for (let i = 0; i < N_JOINTS; i++) out[2 * i] = widthInCharSpace - joints[2 * i];
  return out;
}

/** Frames where the driving root was not seen: take the nearest seen frame's placement. */
function fillRootGaps(posed: JointPositions[]): void {
  const seen = posed.map((p) => Number.isFinite(p[0]));
  const firstSeen = seen.indexOf(true);
  if (firstSeen < 0) return;
  for (let t = 0; t < posed.length; t++) {
    if (seen[t]) continue;
    let src = -1;
    for (let k = 1; k < posed.length && src < 0; k++) {
      if (t - k >= 0 && seen[t - k]) src = t - k;
      else if (t + k < posed.length && seen[t + k]) src = t + k;
    }
    posed[t] = Float64Array.from(posed[src]);
  }
}


const CORE_JOINTS = [J.root, J.neck, J.head, J.l_shoulder, J.r_shoulder, J.l_hip, J.r_hip];

/**
 * Shifts frames so the body's core (torso and head, plus a margin for flesh) stays on the canvas.
 * Only the core counts, so a swinging arm does not shove the body; the shifts are smoothed over
 * about half a second, so hitting an edge never makes the character jump.
 */
function keepInFrame(posed: JointPositions[], width: number, height: number, margin: number, fps: number, vertical = true): void {
  const need = posed.map((p) => {
    let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
    for (const i of CORE_JOINTS) {
      minX = Math.min(minX, p[2 * i]); maxX = Math.max(maxX, p[2 * i]);
      minY = Math.min(minY, p[2 * i + 1]); maxY = Math.max(maxY, p[2 * i + 1]);
    }
    let dx = 0, dy = 0;
    if (maxX - minX + 2 * margin < width) {
      if (minX - margin < 0) dx = margin - minX;
      else if (maxX + margin > width) dx = width - margin - maxX;
    }
    if (vertical && maxY - minY + 2 * margin < height) {
      if (minY - margin < 0) dy = margin - minY;
      else if (maxY + margin > height) dy = height - margin - maxY;
    }
    return [dx, dy];
  });
  const radius = Math.max(1, Math.round(fps / 4));
  const dxs = movingAverage(need.map((v) => v[0]), radius);
  const dys = movingAverage(need.map((v) => v[1]), radius);
  posed.forEach((p, t) => { if (dxs[t] || dys[t]) shift(p, dxs[t], dys[t]); });
}
