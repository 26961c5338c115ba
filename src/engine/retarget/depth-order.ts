/**
 * Back-to-front draw order of the 10 body layers per frame, from the driving person's per-joint depth
 * (BlazePose z) plus cues where z is weak (a joint the detector cannot see that lies over the trunk
 * is behind it). Pairs swap only past a margin held for a few frames, so the order does not flicker.
 * Pure; unit-tested on synthetic tracks.
 */
import {
  DEFAULT_LAYER_ORDER, JOINT_INDEX as J, PART_GROUPS, type JointPositions, type PartGroup,
} from '../rig/skeleton.js';

/** The rig's 10 draw layers. */
export type DepthLayer = PartGroup;
export const DEPTH_LAYERS: readonly DepthLayer[] = PART_GROUPS;
/** The order with no depth cue: legs behind the trunk, head over it, arms in front (left before right). */
export const DEFAULT_DEPTH_ORDER: readonly DepthLayer[] = DEFAULT_LAYER_ORDER;

/** A limb layer's depth is taken between its two joints, nearer its distal end (what overlaps most). */
const LIMB_JOINTS: Record<Exclude<DepthLayer, 'trunk' | 'head'>, [number, number, number]> = {
  l_upper_arm: [J.l_shoulder, J.l_elbow, 0.6], l_forearm: [J.l_elbow, J.l_wrist, 0.7],
  r_upper_arm: [J.r_shoulder, J.r_elbow, 0.6], r_forearm: [J.r_elbow, J.r_wrist, 0.7],
  l_thigh: [J.l_hip, J.l_knee, 0.6], l_shin: [J.l_knee, J.l_ankle, 0.7],
  r_thigh: [J.r_hip, J.r_knee, 0.6], r_shin: [J.r_knee, J.r_ankle, 0.7],
};

/**
 * Prior offsets (torso lengths, negative = nearer) added to the measured depth: the trunk is a volume
 * whose front lies ahead of its joints' mean, so an arm at the body's side stays in front of it and a
 * thigh behind it; a forearm is a little nearer than its upper arm (elbows bend forward), a thigh
 * covers its shin at the knee. The small left/right terms only break ties, as in DEFAULT_DEPTH_ORDER.
 */
const PRIOR: Record<DepthLayer, number> = {
  trunk: 0, head: -0.2,
  l_upper_arm: -0.3, l_forearm: -0.34, r_upper_arm: -0.345, r_forearm: -0.385,
  l_shin: 0.25, l_thigh: 0.23, r_shin: 0.22, r_thigh: 0.2,
};

/** An arm whose distal joint is this far above the nose (torso lengths) is raised overhead. */
const OVERHEAD = 0.25;
/** A raised arm's key is at least this much behind the head's. */
const OVERHEAD_BEHIND_HEAD = 0.1;
const ARM_LAYERS = new Set<DepthLayer>(['l_upper_arm', 'l_forearm', 'r_upper_arm', 'r_forearm']);

/** A distal joint the 2D detector does not see (score below this) while lying over the trunk is behind it. */
const HIDDEN_SCORE = 0.3;
const HIDDEN_VISIBILITY = 0.5;
const HIDDEN_PUSH = 0.6;

export interface DepthCueFrame {
  /** Driving joints in image px (JOINTS order). */
  joints: JointPositions;
  /** 2D detector confidence per joint. */
  confidence: Float64Array;
  /** Per joint depth in torso lengths, larger = farther; null where no landmarks were taken. */
  z: Float64Array | null;
  visibility: Float64Array | null;
  /**
   * The person is seen from behind while the character shows its front: their nearer side is the
   * character's farther one, so depth is reversed.
   */
  reversed: boolean;
}

export interface DepthOrderOptions {
  /** A pair swaps only when the farther-drawn layer is nearer by this much (torso lengths). */
  margin?: number;
  /** ... for this many consecutive frames. */
  holdFrames?: number;
}

/** Inside the quadrilateral of the shoulders and hips, widened a little (image plane). */
function overTrunk(j: JointPositions, k: number): boolean {
  const quad = [J.l_shoulder, J.r_shoulder, J.r_hip, J.l_hip].map((i) => [j[2 * i], j[2 * i + 1]]);
  const cx = quad.reduce((s, p) => s + p[0], 0) / 4;
  const cy = quad.reduce((s, p) => s + p[1], 0) / 4;
  const grown = quad.map(([x, y]) => [cx + (x - cx) * 1.15, cy + (y - cy) * 1.15]);
  const px = j[2 * k];
  const py = j[2 * k + 1];
  let inside = false;
  for (let a = 0, b = 3; a < 4; b = a++) {
    const [xa, ya] = grown[a];
    const [xb, yb] = grown[b];
    if ((ya > py) !== (yb > py) && px < ((xb - xa) * (py - ya)) / (yb - ya) + xa) inside = !inside;
  }
  return inside;
}

/** Each layer's depth key for one frame (torso lengths, larger = drawn earlier, i.e. farther). */
export function layerDepths(f: DepthCueFrame): Float64Array {
  const keys = new Float64Array(DEPTH_LAYERS.length);
  const sign = f.reversed ? -1 : 1;
  const z = (j: number) => (f.z ? sign * f.z[j] : 0);
  const torso = Math.hypot(f.joints[2 * J.neck] - f.joints[2 * J.root], f.joints[2 * J.neck + 1] - f.joints[2 * J.root + 1]);
  DEPTH_LAYERS.forEach((layer, i) => {
    let d: number;
    if (layer === 'trunk') d = (z(J.l_shoulder) + z(J.r_shoulder) + z(J.l_hip) + z(J.r_hip)) / 4;
    else if (layer === 'head') d = z(J.head);
    else {
      const [a, b, w] = LIMB_JOINTS[layer];
      d = z(a) * (1 - w) + z(b) * w;
      const hiddenToDetector = f.confidence[b] < HIDDEN_SCORE && (!f.visibility || f.visibility[b] < HIDDEN_VISIBILITY);
      if (hiddenToDetector && overTrunk(f.joints, b)) d = Math.max(d, z(J.neck)) + HIDDEN_PUSH;
      // Arms raised overhead go up beside the head, not across it: where a character's other
      // proportions bring the forearm over its head, the head stays in front.
      if (ARM_LAYERS.has(layer) && f.confidence[b] >= HIDDEN_SCORE && f.confidence[J.head] >= HIDDEN_SCORE
        && f.joints[2 * b + 1] < f.joints[2 * J.head + 1] - OVERHEAD * torso) {
        d = Math.max(d, z(J.head) + PRIOR.head - PRIOR[layer] + OVERHEAD_BEHIND_HEAD);
      }
    }
    keys[i] = d + PRIOR[layer];
  });
  return keys;
}

/**
 * Back-to-front orders from per-frame keys with hysteresis: starting from the first frame's sorted
 * order, layer b (drawn in front of a) moves behind a only once b's key has exceeded a's by `margin`
 * for `holdFrames` frames in a row; otherwise the previous frame's order stays.
 */
export function sortWithHysteresis(keys: readonly Float64Array[], margin: number, holdFrames: number): DepthLayer[][] {
  const n = DEPTH_LAYERS.length;
  if (keys.length === 0) return [];
  let order = DEPTH_LAYERS.map((_, i) => i).sort((a, b) => keys[0][b] - keys[0][a] || a - b);
  // held[a * n + b]: frames in a row in which b should be behind a (b's key > a's + margin).
  const held = new Int32Array(n * n);
  const out: DepthLayer[][] = [];
  for (const k of keys) {
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) held[a * n + b] = a !== b && k[b] > k[a] + margin ? held[a * n + b] + 1 : 0;
    }
    // Bubble the order: swap neighbours (behind, front) when the front one has held being farther.
    const next = [...order];
    for (let pass = 0, swapped = true; swapped && pass < n; pass++) {
      swapped = false;
      for (let i = 0; i + 1 < n; i++) {
        const behind = next[i];
        const front = next[i + 1];
        if (held[behind * n + front] >= holdFrames) {
          next[i] = front;
          next[i + 1] = behind;
          swapped = true;
        }
      }
    }
    order = next;
    out.push(order.map((i) => DEPTH_LAYERS[i]));
  }
  return out;
}

/** The draw order (back to front, all 10 layers) for every frame of a track. */
export function planDepthOrder(frames: readonly DepthCueFrame[], fps: number, o: DepthOrderOptions = {}): DepthLayer[][] {
  const margin = o.margin ?? 0.15;
  const hold = o.holdFrames ?? Math.max(2, Math.round(0.2 * fps));
  return sortWithHysteresis(frames.map(layerDepths), margin, hold);
}
