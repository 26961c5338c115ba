/**
 * The head's roll in the image, from the line through the eyes (else the ears).
 *
 * A face that turns or nods moves the nose against the neck a long way while the head stays upright;
 * the eye line does not turn with it. The rig rolls the head by this line, not by the neck→nose
 * direction, or a dancer looking down at her feet is drawn with her head tipped to one side.
 */
import { KP, type Pose } from '../types.js';

const MIN_SCORE = 0.3;
/** Eyes (or ears) closer than this share of the shoulder width are a profile: their line says nothing. */
const MIN_SPAN_SHARE = 0.08;
/** …and never closer than this many pixels, where one pixel of noise turns the line by ten degrees. */
const MIN_SPAN_PX = 5;

/**
 * The angle (radians, image axes, y down) of the eye line, else the ear line, folded into (−π/2, π/2]
 * so a swapped left/right pair reads the same; null where neither pair is seen wide enough apart.
 */
export function headRoll(pose: Pose): number | null {
  const ls = pose[KP.left_shoulder], rs = pose[KP.right_shoulder];
  const shoulders = ls.score >= MIN_SCORE && rs.score >= MIN_SCORE ? Math.hypot(ls.x - rs.x, ls.y - rs.y) : 0;
  const minSpan = Math.max(MIN_SPAN_PX, MIN_SPAN_SHARE * shoulders);
  for (const [a, b] of [[KP.right_eye, KP.left_eye], [KP.right_ear, KP.left_ear]] as const) {
    const p = pose[a], q = pose[b];
    if (p.score < MIN_SCORE || q.score < MIN_SCORE) continue;
    const dx = q.x - p.x, dy = q.y - p.y;
    if (Math.hypot(dx, dy) < minSpan) continue;
    return foldHalfTurn(Math.atan2(dy, dx));
  }
  return null;
}

/** An angle of a line (not a direction) folded into (−π/2, π/2]. */
export function foldHalfTurn(a: number): number {
  let v = a % Math.PI;
  if (v > Math.PI / 2) v -= Math.PI;
  if (v <= -Math.PI / 2) v += Math.PI;
  return v;
}

/** At least this many face points (nose, eyes, ears) are seen for their mean to say where the face is. */
const MIN_FACE_POINTS = 2;

/**
 * The face's centre in the image: the mean of the nose, eyes and ears seen; null with fewer than two.
 * The nose alone swings ahead of the head as a face turns or nods; the mean stays over the skull,
 * so the rig aims the head bone at it.
 */
export function faceCentre(pose: Pose): [number, number] | null {
  let x = 0, y = 0, n = 0;
  for (const k of [KP.nose, KP.left_eye, KP.right_eye, KP.left_ear, KP.right_ear]) {
    const p = pose[k];
    if (p.score < MIN_SCORE) continue;
    x += p.x; y += p.y; n++;
  }
  return n >= MIN_FACE_POINTS ? [x / n, y / n] : null;
}
