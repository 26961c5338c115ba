import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DEPTH_ORDER, DEPTH_LAYERS, planDepthOrder, type DepthCueFrame, type DepthLayer,
} from '../../src/engine/retarget/depth-order.js';
import { JOINTS, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';
import { alignSides, depthSeries, jointDepthsFromLandmarks } from '../../src/engine/pose/depth.js';
import { BP, BLAZEPOSE_LANDMARKS, LANDMARK_STRIDE } from '../../src/engine/pose/blazepose.js';
import { KP, type Pose } from '../../src/engine/types.js';
import { rng } from '../helpers/rng.js';

const N = JOINTS.length;

/** A person standing, facing us, in image px (torso 200 px): joints by name. */
function standingJoints(): Float64Array {
  const at: Record<string, [number, number]> = {
    root: [300, 500], neck: [300, 300], head: [300, 240],
    l_shoulder: [360, 305], l_elbow: [380, 400], l_wrist: [385, 490],
    r_shoulder: [240, 305], r_elbow: [220, 400], r_wrist: [215, 490],
    l_hip: [335, 500], l_knee: [338, 640], l_ankle: [340, 780],
    r_hip: [265, 500], r_knee: [262, 640], r_ankle: [260, 780],
  };
  const j = new Float64Array(2 * N);
  for (const [name, [x, y]] of Object.entries(at)) {
    j[2 * J[name as keyof typeof J]] = x;
    j[2 * J[name as keyof typeof J] + 1] = y;
  }
  return j;
}

/** One frame with joint depths set by name (torso lengths, + = farther); everything seen. */
function cue(z: Partial<Record<(typeof JOINTS)[number], number>>, o: Partial<DepthCueFrame> = {}): DepthCueFrame {
  const zs = new Float64Array(N);
  for (const [name, v] of Object.entries(z)) zs[J[name as keyof typeof J]] = v;
  return {
    joints: standingJoints(), confidence: new Float64Array(N).fill(0.9), z: zs,
    visibility: new Float64Array(N).fill(0.99), reversed: false, ...o,
  };
}

const pos = (order: DepthLayer[], layer: DepthLayer) => order.indexOf(layer);
const behind = (order: DepthLayer[], a: DepthLayer, b: DepthLayer) => pos(order, a) < pos(order, b);

describe('depth order', () => {
  it('without any depth is the default order: legs, trunk, head, arms', () => {
    const orders = planDepthOrder([cue({}, { z: null, visibility: null })], 30);
    expect(orders[0]).toEqual(DEFAULT_DEPTH_ORDER);
    expect([...orders[0]].sort()).toEqual([...DEPTH_LAYERS].sort());
  });

  it('an arm passes behind the torso and comes back in front, after a short hold', () => {
    // The right hand swings back (z from −0.5 to +1.2 torso lengths) and forward again.
    const zs = [...Array(20).fill(-0.5), ...Array(30).fill(1.2), ...Array(20).fill(-0.5)];
    const frames = zs.map((w) => cue({ r_wrist: w, r_elbow: w * 0.6 }));
    const orders = planDepthOrder(frames, 30, { holdFrames: 4 });
    expect(behind(orders[10], 'trunk', 'r_forearm')).toBe(true);
    expect(behind(orders[20], 'trunk', 'r_forearm')).toBe(true); // not yet: the change must hold first
    expect(behind(orders[30], 'r_forearm', 'trunk')).toBe(true);
    expect(behind(orders[30], 'r_forearm', 'head')).toBe(true);
    expect(behind(orders[65], 'trunk', 'r_forearm')).toBe(true);
    expect(behind(orders[65], 'head', 'r_forearm')).toBe(true);
  });

  it('a hand in front of the face is drawn over the head; behind the head, under it', () => {
    const front = planDepthOrder([cue({ l_wrist: -1.0, l_elbow: -0.6, head: -0.3 })], 30)[0];
    expect(behind(front, 'head', 'l_forearm')).toBe(true);
    const back = planDepthOrder([cue({ l_wrist: 0.6, l_elbow: 0.3, head: -0.3 })], 30)[0];
    expect(behind(back, 'l_forearm', 'head')).toBe(true);
    expect(behind(back, 'l_forearm', 'trunk')).toBe(true);
  });

  it('a knee raised toward the camera shows in front of the trunk', () => {
    const orders = planDepthOrder(Array.from({ length: 10 }, () => cue({ l_knee: -0.9, l_ankle: -0.5 })), 30);
    expect(behind(orders[9], 'trunk', 'l_thigh')).toBe(true);
    expect(behind(orders[9], 'r_thigh', 'trunk')).toBe(true);
  });

  it('crossed legs cross: the nearer shin is drawn over the other, and the order follows when they swap', () => {
    const frames = [
      ...Array.from({ length: 15 }, () => cue({ l_knee: -0.2, l_ankle: -0.4, r_knee: 0.2, r_ankle: 0.4 })),
      ...Array.from({ length: 15 }, () => cue({ l_knee: 0.2, l_ankle: 0.4, r_knee: -0.2, r_ankle: -0.4 })),
    ];
    const orders = planDepthOrder(frames, 30);
    expect(behind(orders[10], 'r_shin', 'l_shin')).toBe(true);
    expect(behind(orders[29], 'l_shin', 'r_shin')).toBe(true);
  });

  it('does not flicker when depths hover around a crossing', () => {
    const rand = rng(7);
    // The right hand's depth jumps from one side of the trunk's to the other every frame.
    const frames = Array.from({ length: 120 }, (_, t) => cue({ r_wrist: 0.6 + (t % 2 ? 1 : -1) * (0.3 + 0.4 * rand()), r_elbow: 0.2 }));
    const changes = (orders: DepthLayer[][]) => orders.filter((o, t) => t > 0 && o.join() !== orders[t - 1].join()).length;
    expect(changes(planDepthOrder(frames, 30))).toBe(0);
    // Without the hold and the margin the same track flickers.
    expect(changes(planDepthOrder(frames, 30, { holdFrames: 1, margin: 0 }))).toBeGreaterThan(20);
  });

  it('a hand the detector cannot see over the trunk is behind it, even without z', () => {
    const conf = new Float64Array(N).fill(0.9);
    conf[J.r_wrist] = 0.05;
    const joints = standingJoints();
    joints[2 * J.r_wrist] = 310; // over the belly
    joints[2 * J.r_wrist + 1] = 420;
    const hidden = planDepthOrder([cue({}, { z: null, visibility: null, confidence: conf, joints })], 30)[0];
    expect(behind(hidden, 'r_forearm', 'trunk')).toBe(true);
    // The same low score beside the body (e.g. off the frame) says nothing.
    const beside = planDepthOrder([cue({}, { z: null, visibility: null, confidence: conf })], 30)[0];
    expect(behind(beside, 'trunk', 'r_forearm')).toBe(true);
  });

  it('seen from behind, depth is reversed: the hand nearer the camera is behind the character', () => {
    const order = planDepthOrder([cue({ r_wrist: -1.0, r_elbow: -0.5 }, { reversed: true })], 30)[0];
    expect(behind(order, 'r_forearm', 'trunk')).toBe(true);
  });
});

/** BlazePose-like landmarks: each BlazePose point at (x, y, z) in px, visibility logit-free (0..1). */
function landmarks(points: Partial<Record<keyof typeof BP, [number, number, number]>>): Float32Array {
  const lm = new Float32Array(BLAZEPOSE_LANDMARKS * LANDMARK_STRIDE);
  for (const [name, [x, y, z]] of Object.entries(points)) {
    const o = BP[name as keyof typeof BP] * LANDMARK_STRIDE;
    lm.set([x, y, z, 0.99, 0.99], o);
  }
  return lm;
}

const BODY: Partial<Record<keyof typeof BP, [number, number, number]>> = {
  nose: [300, 240, -60], left_ear: [320, 235, 0], right_ear: [280, 235, 0],
  left_shoulder: [360, 300, 0], right_shoulder: [240, 300, 0], left_elbow: [380, 400, 0], right_elbow: [220, 400, 0],
  left_wrist: [385, 490, -100], right_wrist: [215, 490, 150],
  left_hip: [335, 500, 10], right_hip: [265, 500, -10], left_knee: [338, 640, 0], right_knee: [262, 640, 0],
  left_ankle: [340, 780, 0], right_ankle: [260, 780, 0],
};

describe('joint depths from BlazePose landmarks', () => {
  it('are relative to the mid-hip in torso lengths', () => {
    const d = jointDepthsFromLandmarks(landmarks(BODY));
    expect(d).not.toBeNull();
    if (!d) return;
    expect(d.z[J.root]).toBeCloseTo(0);
    expect(d.z[J.l_wrist]).toBeCloseTo(-0.5); // −100 px over a 200 px torso
    expect(d.z[J.r_wrist]).toBeCloseTo(0.75);
    expect(d.z[J.head]).toBeCloseTo(-0.15); // between the nose (−0.3) and the ears (0)
  });

  it('take MoveNet\'s left/right labels where the two models disagree', () => {
    const pose: Pose = Array.from({ length: 17 }, () => ({ x: 0, y: 0, score: 0.9 }));
    const put = (k: number, [x, y]: [number, number, number]) => { pose[k] = { x, y, score: 0.9 }; };
    // MoveNet calls the hand at x=385 the right one.
    put(KP.right_wrist, BODY.left_wrist!);
    put(KP.left_wrist, BODY.right_wrist!);
    put(KP.left_shoulder, BODY.left_shoulder!);
    put(KP.right_shoulder, BODY.right_shoulder!);
    const d = jointDepthsFromLandmarks(alignSides(landmarks(BODY), pose));
    expect(d!.z[J.r_wrist]).toBeCloseTo(-0.5);
    expect(d!.z[J.l_wrist]).toBeCloseTo(0.75);
    expect(d!.z[J.l_shoulder]).toBeCloseTo(0);
  });

  it('are interpolated between the frames that have landmarks and held at the ends', () => {
    const far = { ...BODY, left_wrist: [385, 490, 200] as [number, number, number] };
    const series = depthSeries([null, landmarks(BODY), null, null, landmarks(far), null], [], 6);
    expect(series).not.toBeNull();
    const z = series!.map((d) => d.z[J.l_wrist]);
    expect(z[0]).toBeCloseTo(-0.5);
    expect(z[1]).toBeCloseTo(-0.5);
    expect(z[2]).toBeCloseTo(0);
    expect(z[3]).toBeCloseTo(0.5);
    expect(z[4]).toBeCloseTo(1);
    expect(z[5]).toBeCloseTo(1);
    expect(depthSeries([null, null], [])).toBeNull();
  });
});

describe('depth order: arms raised overhead', () => {
  it('draws the head in front of arms raised above it, and keeps a hand before the face in front', () => {
    const overhead = standingJoints();
    // Both arms up: elbows beside the head, wrists well above it (torso 200 px, nose at y 240).
    overhead[2 * J.l_elbow] = 350; overhead[2 * J.l_elbow + 1] = 200; overhead[2 * J.l_wrist] = 320; overhead[2 * J.l_wrist + 1] = 120;
    overhead[2 * J.r_elbow] = 250; overhead[2 * J.r_elbow + 1] = 200; overhead[2 * J.r_wrist] = 280; overhead[2 * J.r_wrist + 1] = 120;
    const up = planDepthOrder(Array.from({ length: 10 }, () => cue({}, { joints: overhead })), 30);
    expect(behind(up[5], 'l_forearm', 'head')).toBe(true);
    expect(behind(up[5], 'r_forearm', 'head')).toBe(true);
    // A hand held before the face (wrist at the nose's height) stays in front of the head.
    const face = standingJoints();
    face[2 * J.r_elbow] = 250; face[2 * J.r_elbow + 1] = 320; face[2 * J.r_wrist] = 295; face[2 * J.r_wrist + 1] = 245;
    const atFace = planDepthOrder(Array.from({ length: 10 }, () => cue({}, { joints: face })), 30);
    expect(behind(atFace[5], 'head', 'r_forearm')).toBe(true);
  });
});
