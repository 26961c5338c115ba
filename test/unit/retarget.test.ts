import { describe, expect, it } from 'vitest';
import { planRetarget, withVirtualRoots, type CharacterSkeleton, type DrivingTrack } from '../../src/engine/retarget/retarget.js';
import { stableFacing } from '../../src/engine/retarget/facing.js';
import { JOINTS, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';
import { angleOf, boneLength } from '../../src/engine/retarget/geometry.js';
import { boneScales, referenceFrame } from '../../src/engine/retarget/reference.js';

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
/** The same figure with its arms up and legs apart: no driving frame is posed like it, so nothing is taken as noise. */
const unlikeChar: CharacterSkeleton = {
  ...character,
  rest: figure({
    root: [200, 300], neck: [200, 180], head: [200, 140],
    l_shoulder: [240, 185], l_elbow: [260, 125], l_wrist: [270, 70],
    r_shoulder: [160, 185], r_elbow: [140, 125], r_wrist: [130, 70],
    l_hip: [225, 300], l_knee: [260, 375], l_ankle: [290, 450],
    r_hip: [175, 300], r_knee: [140, 375], r_ankle: [110, 450],
  }),
};

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
    const plan = planRetarget(unlikeChar, d, { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    expect(plan.frames).toHaveLength(20);
    for (let t = 0; t < 20; t++) {
      const p = plan.frames[t].joints;
      for (const [a, b] of LIMBS) {
        const diff = Math.abs(Math.atan2(Math.sin(angleOf(p, a, b) - angleOf(d.joints[t], a, b)), Math.cos(angleOf(p, a, b) - angleOf(d.joints[t], a, b))));
        expect(diff).toBeLessThan(1e-9);
        expect(boneLength(p, a, b)).toBeCloseTo(boneLength(unlikeChar.rest, a, b), 6);
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
      const plan = planRetarget(unlikeChar, halfBody(12), { orientation, canvasWidth: 500, canvasHeight: 500 });
      const d = track(12);
      for (const [t, f] of plan.frames.entries()) {
        expect(f.joints.every(Number.isFinite)).toBe(true);
        for (const [a, b] of LIMBS.slice(0, 4)) {
          const diff = Math.atan2(Math.sin(angleOf(f.joints, a, b) - angleOf(d.joints[t], a, b)), Math.cos(angleOf(f.joints, a, b) - angleOf(d.joints[t], a, b)));
          expect(Math.abs(diff)).toBeLessThan(1e-9);
        }
        for (const [a, b] of LIMBS.slice(4)) expect(angleOf(f.joints, a, b)).toBeCloseTo(angleOf(unlikeChar.rest, a, b), 9);
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
    const bust = { ...unlikeChar, present: JOINTS.map((n) => !/knee|ankle/.test(n)) };
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

/** Moves `joint` (and what hangs off it along the same limb) so bone parent→joint is `k` times as long. */
function scaleBone(j: Float64Array, parent: number, joint: number, k: number, carry: number[] = []): void {
  const dx = (j[2 * joint] - j[2 * parent]) * (k - 1), dy = (j[2 * joint + 1] - j[2 * parent + 1]) * (k - 1);
  for (const i of [joint, ...carry]) { j[2 * i] += dx; j[2 * i + 1] += dy; }
}

describe('referenceFrame', () => {
  it('finds the frame posed most like the character, and none when nothing is alike', () => {
    const d = track(20);
    // The character is the driver's frame 7 at half size: that frame is its reference.
    const rest = d.joints[7].map((v) => v / 2);
    expect(referenceFrame(rest, character.present, d)?.frame).toBe(7);
    expect(referenceFrame(rest, character.present, d)?.distance).toBeCloseTo(0, 9);
    // Upside down, no frame is alike.
    const flipped = rest.map((v, i) => (i % 2 ? -v : v));
    expect(referenceFrame(flipped, character.present, d)).toBeNull();
  });
});

describe('boneScales', () => {
  it('draws bones at the driver\'s length over its length in the pose the character is in', () => {
    const d = track(40);
    // The right forearm is seen at 80% of its length until frame 20 (as in the character's picture),
    // then at full length, then pointing at the camera (30%).
    d.joints.forEach((j, t) => scaleBone(j, J.r_elbow, J.r_wrist, t < 20 ? 0.8 : t < 30 ? 1 : 0.3));
    // A half-turn shortens the shoulder line from frame 30.
    d.joints.forEach((j, t) => { if (t >= 30) { scaleBone(j, J.neck, J.l_shoulder, 0.7, [J.l_elbow, J.l_wrist]); } });
    const rest = d.joints[5].map((v) => v / 2);
    const ref = referenceFrame(rest, character.present, d);
    expect(ref?.frame).toBe(5);
    const s = boneScales(d, rest, ref, { spine: true });
    expect(s[5][J.r_wrist]).toBeCloseTo(1, 9); // as at rest
    expect(s[25][J.r_wrist]).toBeCloseTo(1.25, 9); // stretched out: longer than at rest
    expect(s[35][J.r_wrist]).toBeCloseTo(0.45, 9); // pointing at the camera: the floor
    expect(s[35][J.l_shoulder]).toBeCloseTo(0.7, 9);
    expect(s[10][J.l_shoulder]).toBeCloseTo(1, 9);
    const plan = planRetarget({ ...character, rest }, d, { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    const restLen = boneLength(rest, J.r_elbow, J.r_wrist);
    expect(boneLength(plan.frames[25].joints, J.r_elbow, J.r_wrist) / restLen).toBeCloseTo(1.25, 6);
    expect(boneLength(plan.frames[5].joints, J.r_elbow, J.r_wrist)).toBeCloseTo(restLen, 6);
  });

  it('shortens the torso with the driver\'s in a bow (the pelvis keeps the hips), a bust\'s not', () => {
    const d = track(30);
    d.joints.forEach((j, t) => { if (t >= 15) scaleBone(j, J.root, J.neck, 0.8, [J.head, J.l_shoulder, J.r_shoulder, J.l_elbow, J.r_elbow, J.l_wrist, J.r_wrist]); });
    const rest = d.joints[3].map((v) => v / 2);
    const ref = referenceFrame(rest, character.present, d);
    const s = boneScales(d, rest, ref, { spine: true });
    expect(s[10][J.neck]).toBeCloseTo(1, 9);
    expect(s[20][J.neck]).toBeCloseTo(0.8, 9);
    expect(boneScales(d, rest, ref, { spine: false })[20][J.neck]).toBe(1);
    const plan = planRetarget({ ...character, rest }, d, { orientation: 'image', canvasWidth: 400, canvasHeight: 500 });
    expect(boneLength(plan.frames[20].joints, J.root, J.neck) / boneLength(rest, J.root, J.neck)).toBeCloseTo(0.8, 6);
  });

  it('without a reference, shortens only limbs seen well below their usual full length, and ignores noise', () => {
    const d = track(40);
    // The right forearm: full length with ±4% noise, then for frames 20-29 seen at 40% to 60% of it.
    d.joints.forEach((j, t) => scaleBone(j, J.r_elbow, J.r_wrist, t >= 20 && t < 30 ? 0.4 + 0.02 * (t - 20) : 1 + 0.04 * Math.sin(t * 1.7)));
    const f = boneScales(d, restChar, null, { spine: true });
    for (const t of [2, 8, 14, 35]) expect(f[t][J.r_wrist]).toBe(1);
    for (const t of [23, 25, 27]) {
      expect(f[t][J.r_wrist]).toBeGreaterThan(0.45);
      expect(f[t][J.r_wrist]).toBeLessThan(0.75);
    }
    expect(f[25][J.l_shoulder]).toBe(1); // core bones keep their length
  });
});

describe('planRetarget, relative to the reference', () => {
  it('puts every joint where the driver\'s is when the character is the driver\'s own frame', () => {
    const d = track(30);
    // A shrug (left shoulder up 10°, against the spine), a nod and a bow (head bone 85%) from frame 15.
    d.joints.forEach((j, t) => {
      if (t < 15) return;
      const [nx, ny] = [j[2 * J.neck], j[2 * J.neck + 1]];
      const turn = (i: number, a: number, carry: number[]) => {
        const c = Math.cos(a), sn = Math.sin(a);
        for (const k of [i, ...carry]) {
          const x = j[2 * k] - nx, y = j[2 * k + 1] - ny;
          j[2 * k] = nx + c * x - sn * y; j[2 * k + 1] = ny + sn * x + c * y;
        }
      };
      turn(J.l_shoulder, (-10 * Math.PI) / 180, [J.l_elbow, J.l_wrist]);
      turn(J.head, (8 * Math.PI) / 180, []);
      scaleBone(j, J.neck, J.head, 0.85);
    });
    const rest = d.joints[3].map((v) => v / 2);
    const plan = planRetarget({ ...character, rest }, d, { orientation: 'video', canvasWidth: 500, canvasHeight: 500 });
    for (const t of [3, 10, 20, 29]) {
      for (let i = 0; i < N; i++) {
        expect(plan.frames[t].joints[2 * i] * plan.transform.scale).toBeCloseTo(d.joints[t][2 * i] / 2, 0);
        expect(plan.frames[t].joints[2 * i + 1] * plan.transform.scale).toBeCloseTo(d.joints[t][2 * i + 1] / 2, 0);
      }
    }
  });

  it('rolls the head by the driver\'s eye line, not by where the nose points', () => {
    const d = track(30);
    // From frame 10 the driver looks down to one side (the nose 40 px left and 30 px lower), eyes level;
    // from frame 20 the eye line tilts by 12° as well.
    d.joints.forEach((j, t) => { if (t >= 10) { j[2 * J.head] -= 40; j[2 * J.head + 1] += 30; } });
    const tilt = (12 * Math.PI) / 180;
    const withRoll: DrivingTrack = { ...d, headRoll: d.joints.map((_, t) => (t >= 20 ? tilt : 0)) };
    const rest = d.joints[3].map((v) => v / 2);
    const opts = { orientation: 'video' as const, canvasWidth: 500, canvasHeight: 500 };
    const plan = planRetarget({ ...character, rest }, withRoll, opts);
    const headTurn = (t: number) => angleOf(plan.frames[t].joints, J.neck, J.head) - angleOf(plan.frames[3].joints, J.neck, J.head);
    expect(Math.abs(headTurn(15))).toBeLessThan(1e-6);
    expect(headTurn(25)).toBeCloseTo(tilt, 6);
    // Without the eye line, the nose's direction is all there is: the head tips.
    const noRoll = planRetarget({ ...character, rest }, d, opts);
    expect(Math.abs(angleOf(noRoll.frames[15].joints, J.neck, J.head) - angleOf(noRoll.frames[3].joints, J.neck, J.head))).toBeGreaterThan(0.3);
  });

  it('aims the head bone at the driver\'s face, within 15° of the eye line, and turns the face by the eye line', () => {
    const d = track(30);
    const deg = (a: number) => (a * Math.PI) / 180;
    // The face's centre, 50 px above the neck, swings about the neck by 10° from frame 10 and by 30°
    // from frame 20 (a neck bent to the side); the eye line stays level with the spine throughout.
    const swing = (t: number) => (t >= 20 ? deg(30) : t >= 10 ? deg(10) : 0);
    const faceCentre = d.joints.map((j, t): [number, number] => {
      const a = angleOf(j, J.root, J.neck) + swing(t);
      return [j[2 * J.neck] + 50 * Math.cos(a), j[2 * J.neck + 1] + 50 * Math.sin(a)];
    });
    const headRoll = d.joints.map((j) => angleOf(j, J.root, J.neck) + Math.PI / 2);
    const rest = d.joints[3].map((v) => v / 2);
    const plan = planRetarget({ ...character, rest }, { ...d, faceCentre, headRoll }, { orientation: 'video', canvasWidth: 500, canvasHeight: 500 });
    const boneTurn = (t: number) => angleOf(plan.frames[t].joints, J.neck, J.head) - angleOf(plan.frames[t].joints, J.root, J.neck)
      - (angleOf(plan.frames[3].joints, J.neck, J.head) - angleOf(plan.frames[3].joints, J.root, J.neck));
    expect(boneTurn(5)).toBeCloseTo(0, 6);
    expect(plan.frames[5].headTwist).toBeCloseTo(0, 6);
    expect(boneTurn(15)).toBeCloseTo(deg(10), 6);
    // The face itself stays level: it turns back by what the bone turned.
    expect(plan.frames[15].headTwist).toBeCloseTo(-deg(10), 6);
    expect(boneTurn(25)).toBeCloseTo(deg(15), 6);
    expect(plan.frames[25].headTwist).toBeCloseTo(-deg(15), 6);
  });

  it('takes a few degrees or pixels between the picture and the driver at the reference as noise, and more as pose', () => {
    const d = track(30);
    /** The driver's frame 3 at half size, 1% larger and 2 px to the right, its right forearm turned by `deg`°. */
    const picture = (deg: number) => {
      const rest = d.joints[3].map((v, i) => (i % 2 ? v / 2 * 1.01 : v / 2 * 1.01 + 2));
      const a = (deg * Math.PI) / 180, [ex, ey] = [rest[2 * J.r_elbow], rest[2 * J.r_elbow + 1]];
      const [x, y] = [rest[2 * J.r_wrist] - ex, rest[2 * J.r_wrist + 1] - ey];
      rest[2 * J.r_wrist] = ex + Math.cos(a) * x - Math.sin(a) * y;
      rest[2 * J.r_wrist + 1] = ey + Math.sin(a) * x + Math.cos(a) * y;
      return rest;
    };
    const opts = { orientation: 'video' as const, canvasWidth: 500, canvasHeight: 500 };
    const noisy = picture(2);
    const plan = planRetarget({ ...character, rest: noisy, imageWidth: 500, imageHeight: 500 }, d, opts);
    // Drawn at its picture's scale (the plate's: 1), just where its picture has it, at the reference.
    expect(plan.transform.scale).toBeCloseTo(1, 9);
    for (let i = 0; i < N; i++) {
      expect(plan.frames[3].joints[2 * i]).toBeCloseTo(noisy[2 * i], 6);
      expect(plan.frames[3].joints[2 * i + 1]).toBeCloseTo(noisy[2 * i + 1], 6);
    }
    // 30° is pose: the driver's forearm angle is copied.
    const posed = planRetarget({ ...character, rest: picture(30), imageWidth: 500, imageHeight: 500 }, d, opts);
    for (const t of [3, 20]) {
      expect(angleOf(posed.frames[t].joints, J.r_elbow, J.r_wrist)).toBeCloseTo(angleOf(d.joints[t], J.r_elbow, J.r_wrist), 9);
    }
  });
});
