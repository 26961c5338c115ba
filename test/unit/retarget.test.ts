import { describe, expect, it } from 'vitest';
import { foreshortening, planRetarget, withVirtualRoots, type CharacterSkeleton, type DrivingTrack } from '../../src/engine/retarget/retarget.js';
import { stableFacing } from '../../src/engine/retarget/facing.js';
import { JOINTS, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';
import { angleOf, boneLength } from '../../src/engine/retarget/geometry.js';

const N = JOINTS.length;

/** A standing figure: joints as [x, y] by name. */
function figure(at: Partial<Record<(typeof JOINTS)[number], [number, number]>>): Float64Array {
  const j = new Float64Array(2 * N);
  for (const [name, [x, y]] of Object.entries(at)) {
    j[2 * J[name as keyof typeof J]] = x;
    j[2 * J[name as keyof typeof J] + 1] = y;
  }
  return j;
}

const restChar = figure({
  root: [200, 300], neck: [200, 180], head: [200, 140],
  l_shoulder: [240, 185], l_elbow: [250, 245], l_wrist: [255, 300],
  r_shoulder: [160, 185], r_elbow: [150, 245], r_wrist: [145, 300],
  l_hip: [225, 300], l_knee: [228, 380], l_ankle: [230, 460],
  r_hip: [175, 300], r_knee: [172, 380], r_ankle: [170, 460],
});
const character: CharacterSkeleton = { rest: restChar, present: JOINTS.map(() => true), imageWidth: 400, imageHeight: 500 };

/** A driving person twice the character's size, arms swinging with known angles. */
function drivingFrame(t: number): Float64Array {
  const base = figure({
    root: [500 + t, 600], neck: [500 + t, 360], head: [500 + t, 280],
    l_shoulder: [580 + t, 370], r_shoulder: [420 + t, 370],
    l_hip: [550 + t, 600], l_knee: [556 + t, 760], l_ankle: [560 + t, 920],
    r_hip: [450 + t, 600], r_knee: [444 + t, 760], r_ankle: [440 + t, 920],
  });
  const a = (t / 10) * Math.PI; // the left upper arm sweeps
  const put = (joint: number, from: number, len: number, ang: number) => {
    base[2 * joint] = base[2 * from] + len * Math.cos(ang);
    base[2 * joint + 1] = base[2 * from + 1] + len * Math.sin(ang);
  };
  put(J.l_elbow, J.l_shoulder, 120, a);
  put(J.l_wrist, J.l_elbow, 110, a + 0.5);
  put(J.r_elbow, J.r_shoulder, 120, Math.PI / 2 + 0.2);
  put(J.r_wrist, J.r_elbow, 110, Math.PI / 2);
  return base;
}

function track(n: number, facingAway: (boolean | null)[] = []): DrivingTrack {
  const joints = Array.from({ length: n }, (_, t) => drivingFrame(t));
  return {
    width: 1000, height: 1000, fps: 10, joints,
    confidence: joints.map(() => new Float64Array(N).fill(0.9)),
    facingAway: joints.map((_, t) => facingAway[t] ?? false),
  };
}

const LIMBS: [number, number][] = [[J.l_shoulder, J.l_elbow], [J.l_elbow, J.l_wrist], [J.r_shoulder, J.r_elbow], [J.r_elbow, J.r_wrist],
  [J.l_hip, J.l_knee], [J.l_knee, J.l_ankle], [J.r_hip, J.r_knee], [J.r_knee, J.r_ankle]];

describe('planRetarget', () => {
  it('copies every limb angle from the driving person and keeps the character\'s bone lengths', () => {
    const d = track(20);
    const plan = planRetarget(character, d, { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    expect(plan.frames).toHaveLength(20);
    for (let t = 0; t < 20; t++) {
      const p = plan.frames[t].joints;
      for (const [a, b] of LIMBS) {
        const diff = Math.abs(Math.atan2(Math.sin(angleOf(p, a, b) - angleOf(d.joints[t], a, b)), Math.cos(angleOf(p, a, b) - angleOf(d.joints[t], a, b))));
        expect(diff).toBeLessThan(1e-9);
        expect(boneLength(p, a, b)).toBeCloseTo(boneLength(restChar, a, b), 6);
      }
    }
  });

  it('image orientation: keeps the character in its place and size, moving in place by the scaled root motion', () => {
    const d = track(20);
    // A roomy image, so keeping the character in frame never has to push it.
    const roomy = { ...character, imageWidth: 600 };
    const plan = planRetarget(roomy, d, { orientation: 'image', canvasWidth: 1200, canvasHeight: 1000 });
    expect(plan.transform.scale).toBeCloseTo(2);
    const roots = plan.frames.map((f) => f.joints[2 * J.root]);
    // The driving root moves 19 px at twice the character's size: about 9.5 px for the character.
    expect(Math.max(...roots) - Math.min(...roots)).toBeCloseTo(9.5, 0);
    expect(Math.abs(roots[10] - 200)).toBeLessThan(6);
    // Feet stay on the character's own ground.
    for (const f of plan.frames) expect(Math.max(f.joints[2 * J.l_ankle + 1], f.joints[2 * J.r_ankle + 1])).toBeCloseTo(460, 0);
  });

  it('video orientation: the character goes where the person goes, at the person\'s scale', () => {
    const d = track(20);
    const plan = planRetarget(character, d, { orientation: 'video', canvasWidth: 500, canvasHeight: 500 });
    // Canvas is the video at half size; the person is twice the character: scale ≈ 1.
    expect(plan.transform.scale).toBeCloseTo(1, 1);
    for (let t = 0; t < 20; t++) {
      const rootCanvasX = plan.frames[t].joints[2 * J.root] * plan.transform.scale;
      expect(rootCanvasX).toBeCloseTo(d.joints[t][2 * J.root] / 2, 0);
      const ankleCanvasY = Math.max(plan.frames[t].joints[2 * J.l_ankle + 1], plan.frames[t].joints[2 * J.r_ankle + 1]) * plan.transform.scale;
      expect(ankleCanvasY).toBeCloseTo(460, 0);
    }
  });

  it('video orientation mirrors the character while the person faces away; image orientation never does', () => {
    const away = Array.from({ length: 30 }, (_, t) => t >= 10 && t < 25);
    const d = track(30, away);
    const video = planRetarget(character, d, { orientation: 'video', canvasWidth: 500, canvasHeight: 500 });
    expect(video.frames.map((f) => f.mirror)).toEqual(away);
    const image = planRetarget(character, d, { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    expect(image.frames.every((f) => !f.mirror)).toBe(true);
  });

  it('keeps a character without legs (cut off by the image) rooted in place', () => {
    const noLegs = { ...character, imageWidth: 600, present: JOINTS.map((n) => !/knee|ankle/.test(n)) };
    const plan = planRetarget(noLegs, track(20), { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    for (const f of plan.frames) expect(f.joints[2 * J.root]).toBe(restChar[2 * J.root]);
  });

  it('keeps the legs still when the driving video does not show them', () => {
    const d = track(10);
    for (const c of d.confidence) for (const j of [J.l_knee, J.r_knee, J.l_ankle, J.r_ankle]) c[j] = 0;
    const plan = planRetarget(character, d, { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    for (const f of plan.frames) {
      for (const [a, b] of LIMBS.slice(4)) expect(angleOf(f.joints, a, b)).toBeCloseTo(angleOf(restChar, a, b), 9);
    }
  });
});

describe('a half-body presenter (hips out of frame)', () => {
  /** The driving track with hips, knees and ankles unseen. */
  function halfBody(n: number): DrivingTrack {
    const d = track(n);
    for (const c of d.confidence) for (const j of [J.root, J.l_hip, J.r_hip, J.l_knee, J.r_knee, J.l_ankle, J.r_ankle]) c[j] = 0;
    return d;
  }

  it('drives the arms of a full-body character, keeps its legs still and places it (no NaN)', () => {
    for (const orientation of ['video', 'image'] as const) {
      const plan = planRetarget(character, halfBody(12), { orientation, canvasWidth: 500, canvasHeight: 500 });
      const d = track(12);
      for (const [t, f] of plan.frames.entries()) {
        expect(f.joints.every(Number.isFinite)).toBe(true);
        for (const [a, b] of LIMBS.slice(0, 4)) {
          const diff = Math.atan2(Math.sin(angleOf(f.joints, a, b) - angleOf(d.joints[t], a, b)), Math.cos(angleOf(f.joints, a, b) - angleOf(d.joints[t], a, b)));
          expect(Math.abs(diff)).toBeLessThan(1e-9);
        }
        for (const [a, b] of LIMBS.slice(4)) expect(angleOf(f.joints, a, b)).toBeCloseTo(angleOf(restChar, a, b), 9);
      }
    }
  });

  it('puts the root one torso below the shoulders, square to their line, sized from the shoulder width', () => {
    const d = halfBody(3);
    const v = withVirtualRoots(d, character);
    const j = v.joints[1];
    // The driving shoulders are 160 px apart; the character's torso is 1.5 × its 80 px shoulder width.
    expect(j[2 * J.root + 1] - j[2 * J.neck + 1]).toBeCloseTo(160 * (120 / 80), 0);
    expect(j[2 * J.root]).toBeCloseTo(j[2 * J.neck], 0);
    expect(v.confidence[1][J.root]).toBeGreaterThanOrEqual(0.3);
    // Seen hips are never replaced.
    expect(withVirtualRoots(track(3), character).joints[1]).toEqual(track(3).joints[1]);
  });

  it('keeps a bust character\'s hands at the driver\'s height relative to the shoulders', () => {
    const bust = { ...character, present: JOINTS.map((n) => !/knee|ankle/.test(n)) };
    const plan = planRetarget(bust, halfBody(12), { orientation: 'video', canvasWidth: 500, canvasHeight: 500 });
    const d = track(12);
    for (const [t, f] of plan.frames.entries()) {
      // Hand height below the shoulders in shoulder widths: the two figures have the same arm-to-shoulder
      // proportions, so the character's hands sit where the driver's do relative to its own shoulders.
      const rel = (p: Float64Array, hand: number) => (p[2 * hand + 1] - p[2 * J.neck + 1]) / boneLength(p, J.l_shoulder, J.r_shoulder);
      for (const hand of [J.l_wrist, J.r_wrist]) expect(Math.abs(rel(f.joints, hand) - rel(d.joints[t], hand))).toBeLessThan(0.06);
    }
  });
});

describe('stableFacing', () => {
  it('ignores single-frame flips and undecided frames, and switches after the turn holds', () => {
    const r: (boolean | null)[] = [false, false, true, false, null, null, false, true, true, true, true, true, null, true];
    expect(stableFacing(r, 10, 0.3)).toEqual([false, false, false, false, false, false, false, true, true, true, true, true, true, true]);
  });
});

describe('planRetarget, a bust (no legs in the picture) in video orientation', () => {
  it('keeps its cut edge on the canvas bottom and follows the person across', () => {
    const bust = { ...character, present: JOINTS.map((n) => !/knee|ankle/.test(n)) };
    const d = track(20);
    const plan = planRetarget(bust, d, { orientation: 'video', canvasWidth: 500, canvasHeight: 500 });
    const s = plan.transform.scale;
    // At least 60% of the canvas tall, from the head's top to the cut edge.
    expect((character.imageHeight - (140 - 0.6 * 120)) * s).toBeGreaterThanOrEqual(0.6 * 500 - 1e-6);
    for (let t = 0; t < 20; t++) {
      const f = plan.frames[t].joints;
      // The image's bottom edge (rest y = 500) sits on the canvas bottom: root offset kept.
      expect((f[2 * J.root + 1] + (character.imageHeight - restChar[2 * J.root + 1])) * s).toBeCloseTo(500, 6);
      expect(f[2 * J.root] * s).toBeCloseTo(d.joints[t][2 * J.root] / 2, 6);
    }
  });
});

describe('planRetarget, torso tilt', () => {
  it('limits a bust\'s torso tilt to 12° while a full figure follows the person\'s lean', () => {
    const d = track(5);
    // The person leans 40° to the side: neck swung about the root.
    for (const j of d.joints) {
      const a = -Math.PI / 2 + (40 * Math.PI) / 180;
      j[2 * J.neck] = j[2 * J.root] + 240 * Math.cos(a);
      j[2 * J.neck + 1] = j[2 * J.root + 1] + 240 * Math.sin(a);
    }
    const tilt = (f: Float64Array) => (angleOf(f, J.root, J.neck) - angleOf(restChar, J.root, J.neck)) * 180 / Math.PI;
    const full = planRetarget(character, d, { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    expect(tilt(full.frames[2].joints)).toBeCloseTo(40, 3);
    const bust = planRetarget({ ...character, present: JOINTS.map((n) => !/knee|ankle/.test(n)) }, d, { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    expect(tilt(bust.frames[2].joints)).toBeCloseTo(12, 3);
  });
});

describe('foreshortening', () => {
  it('draws a forearm pointing at the camera shorter, and leaves length noise alone', () => {
    const d = track(40);
    // The right forearm: full length (110) with ±4% noise, then for frames 20-29 seen at 40% to 60% of it.
    d.joints.forEach((j, t) => {
      const k = t >= 20 && t < 30 ? 0.4 + 0.02 * (t - 20) : 1 + 0.04 * Math.sin(t * 1.7);
      j[2 * J.r_wrist] = j[2 * J.r_elbow] + (j[2 * J.r_wrist] - j[2 * J.r_elbow]) * k;
      j[2 * J.r_wrist + 1] = j[2 * J.r_elbow + 1] + (j[2 * J.r_wrist + 1] - j[2 * J.r_elbow + 1]) * k;
    });
    const f = foreshortening(d);
    for (const t of [2, 8, 14, 35]) expect(f[t][J.r_wrist]).toBe(1);
    for (const t of [23, 25, 27]) {
      expect(f[t][J.r_wrist]).toBeGreaterThan(0.45);
      expect(f[t][J.r_wrist]).toBeLessThan(0.75);
    }
    expect(f[25][J.l_shoulder]).toBe(1); // girdle bones are never shortened
    const plan = planRetarget(character, d, { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    const restLen = boneLength(restChar, J.r_elbow, J.r_wrist);
    expect(boneLength(plan.frames[25].joints, J.r_elbow, J.r_wrist) / restLen).toBeCloseTo(f[25][J.r_wrist], 6);
    expect(boneLength(plan.frames[5].joints, J.r_elbow, J.r_wrist)).toBeCloseTo(restLen, 6);
  });
});
