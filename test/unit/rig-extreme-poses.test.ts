/**
 * The character stays whole through extreme poses: rendered through the engine's own frame
 * renderer onto a pure green plate, no green may show inside the posed figure's silhouette, and no
 * triangle may fold over (change its winding) or collapse.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleCharacter } from '../../src/engine/character.js';
import { renderFrame } from '../../src/engine/frame-renderer.js';
import type { RetargetPlan } from '../../src/engine/retarget/retarget.js';
import { boneTransforms, deformRig } from '../../src/engine/rig/index.js';
import {
  DEFAULT_LAYER_ORDER, JOINTS, JOINT_INDEX as J, boneGroup, type JointPositions, type PartGroup,
} from '../../src/engine/rig/skeleton.js';
import { refineMask } from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';
import { armDownFigure, figureMask, rng, standardFigure, type FigureSpec } from './rig-figure.js';

const deg = (a: number) => (a * Math.PI) / 180;
/** retarget's HEAD_AIM_SPREAD: the most the face turns beyond the head bone. */
const HEAD_TWIST_DEG = 15;

/** Re-poses a chain from its first joint by absolute angles (degrees, image y down), keeping bone lengths. */
function setChain(rest: JointPositions, out: JointPositions, chain: number[], angles: number[]): void {
  for (let k = 1; k < chain.length; k++) {
    const p = chain[k - 1]; const c = chain[k];
    const len = Math.hypot(rest[2 * c] - rest[2 * p], rest[2 * c + 1] - rest[2 * p + 1]);
    out[2 * c] = out[2 * p] + len * Math.cos(deg(angles[k - 1]));
    out[2 * c + 1] = out[2 * p + 1] + len * Math.sin(deg(angles[k - 1]));
  }
}

const L_ARM = [J.l_shoulder, J.l_elbow, J.l_wrist]; const R_ARM = [J.r_shoulder, J.r_elbow, J.r_wrist];
const L_LEG = [J.l_hip, J.l_knee, J.l_ankle]; const R_LEG = [J.r_hip, J.r_knee, J.r_ankle];
// In the figure the character's left side is on the image's right (it faces us).
const ARMS_BEHIND: PartGroup[] = ['l_forearm', 'l_upper_arm', 'r_forearm', 'r_upper_arm', 'l_shin', 'l_thigh', 'r_shin', 'r_thigh', 'trunk', 'head'];

interface PoseCase { name: string; arms?: [number[], number[]]; legs?: [number[], number[]]; order?: PartGroup[] }
const POSES: PoseCase[] = [
  { name: 'arms over the head', arms: [[-75, -120], [-105, -60]] },
  { name: 'arms crossed in front', arms: [[120, 190], [60, -10]] },
  { name: 'arms crossed behind', arms: [[120, 190], [60, -10]], order: ARMS_BEHIND },
  { name: 'elbows bent 150 degrees', arms: [[20, 170], [160, 10]] },
  { name: 'splits', legs: [[5, 0], [175, 180]] },
  { name: 'deep knee bend', legs: [[-30, 120], [210, 60]] },
  { name: 'knees crossed', legs: [[120, 100], [60, 80]] },
];

function posed(f: FigureSpec, c: PoseCase): JointPositions {
  const out = Float64Array.from(f.joints);
  if (c.arms) { setChain(f.joints, out, L_ARM, c.arms[0]); setChain(f.joints, out, R_ARM, c.arms[1]); }
  if (c.legs) { setChain(f.joints, out, L_LEG, c.legs[0]); setChain(f.joints, out, R_LEG, c.legs[1]); }
  return out;
}

function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax; const dy = by - ay; const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** Inside an arm's capsule below the shoulder line, or a leg's below the torso: limb colour. */
function onLimb(f: FigureSpec, x: number, y: number): boolean {
  const j = f.joints;
  for (const [p, c] of [[J.l_shoulder, J.l_elbow], [J.l_elbow, J.l_wrist], [J.r_shoulder, J.r_elbow], [J.r_elbow, J.r_wrist]]) {
    if (segDist(x, y, j[2 * p], j[2 * p + 1], j[2 * c], j[2 * c + 1]) <= f.armRadius && y > j[2 * p + 1] + f.armRadius) return true;
  }
  return false;
}

/** The figure's picture: limbs, torso and head in distinct colours (never green), on grey noise. */
function figureImage(f: FigureSpec): RasterImage {
  const rand = rng(5);
  const data = new Uint8Array(f.width * f.height * 3);
  const m = figureMask(f);
  for (let y = 0; y < f.height; y++) {
    for (let x = 0; x < f.width; x++) {
      const i = y * f.width + x;
      const n = Math.round((rand() - 0.5) * 20);
      // Limbs lie in front of the torso, as an arm held against the body does in a photo.
      const torso = x >= f.torso.x0 && x <= f.torso.x1 && y >= f.torso.y0 && y <= f.torso.y1;
      const rgb = !m.data[i] ? [128 + n, 128 + n, 128 + n] : torso && !onLimb(f, x, y) ? [200 + n, 60, 60] : [90 + n, 60, 200];
      data.set(rgb.map((v) => Math.max(0, Math.min(255, v))), 3 * i);
    }
  }
  return { width: f.width, height: f.height, channels: 3, data };
}

function character(f: FigureSpec) {
  const mask = figureMask(f);
  const refined = refineMask({ width: f.width, height: f.height, data: Float32Array.from(mask.data) });
  return assembleCharacter(figureImage(f), refined, f.joints, JOINTS.map(() => true), 'alpha', 'pose-model');
}

const marks: number[] = [];
const MARGIN = 3;

/**
 * Inside one of the posed figure's shapes by at least MARGIN px: the outline's anti-aliasing
 * (0.5 px), the mesh's chords across curves (up to 1 px) and the texture's soft edge (1 px) are
 * allowed; each shape is shrunk on its own, so where two parts meet the seam must be covered.
 */
function deepInside(f: FigureSpec, j: JointPositions, x: number, y: number): boolean {
  const t = f.torso;
  if (x >= t.x0 + MARGIN && x <= t.x1 - MARGIN && y >= t.y0 + MARGIN && y <= t.y1 - MARGIN) return true;
  if (Math.hypot(x - j[2 * J.head], y - j[2 * J.head + 1]) <= f.headRadius - MARGIN) return true;
  if (segDist(x, y, j[2 * J.neck], j[2 * J.neck + 1], j[2 * J.head], j[2 * J.head + 1]) <= 12 - MARGIN) return true;
  for (const [p, c, r] of [
    [J.l_shoulder, J.l_elbow, f.armRadius], [J.l_elbow, J.l_wrist, f.armRadius], [J.r_shoulder, J.r_elbow, f.armRadius], [J.r_elbow, J.r_wrist, f.armRadius],
    [J.l_hip, J.l_knee, f.legRadius], [J.l_knee, J.l_ankle, f.legRadius], [J.r_hip, J.r_knee, f.legRadius], [J.r_knee, J.r_ankle, f.legRadius],
  ]) {
    if (segDist(x, y, j[2 * p], j[2 * p + 1], j[2 * c], j[2 * c + 1]) <= r - MARGIN) return true;
  }
  return false;
}

/** Green pixels deep inside the posed figure (see deepInside). */
function cracks(f: FigureSpec, joints: JointPositions, frame: Uint8Array, width: number, height: number): number {
  let n = 0;
  marks.length = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (frame[3 * i] < 40 && frame[3 * i + 1] > 215 && frame[3 * i + 2] < 40 && deepInside(f, joints, x, y)) { n++; marks.push(i); }
    }
  }
  return n;
}

function folded(rest: Float32Array, out: Float32Array, tris: Uint32Array): number {
  const area = (p: Float32Array, t: number) => {
    const a = tris[3 * t]; const b = tris[3 * t + 1]; const c = tris[3 * t + 2];
    return (p[2 * b] - p[2 * a]) * (p[2 * c + 1] - p[2 * a + 1]) - (p[2 * b + 1] - p[2 * a + 1]) * (p[2 * c] - p[2 * a]);
  };
  let n = 0;
  for (let t = 0; t < tris.length / 3; t++) {
    const a0 = area(rest, t); const a1 = area(out, t);
    if (Math.sign(a0) !== Math.sign(a1) || Math.abs(a1) < 0.05 * Math.abs(a0)) n++;
  }
  return n;
}

/** A failing frame goes to test-artifacts/ as a PPM, to be looked at. */
function dumpFrame(name: string, frame: Uint8Array, w: number, h: number): void {
  mkdirSync('test-artifacts', { recursive: true });
  for (const i of marks) { frame[3 * i] = 255; frame[3 * i + 1] = 0; frame[3 * i + 2] = 255; }
  writeFileSync(`test-artifacts/extreme-${name.replace(/[^a-z0-9]+/gi, '-')}.ppm`,
    Buffer.concat([Buffer.from(`P6 ${w} ${h} 255\n`), Buffer.from(frame)]));
}

/**
 * The test figures with the torso ending at the hip line, as a body's does: the hip joints are the
 * tops of the legs (the shared figure's torso runs 10 px below them, where nothing in a picture
 * says whether the pixels are pelvis or thigh).
 */
const hipsAtBottom = (f: FigureSpec): FigureSpec => ({ ...f, torso: { ...f.torso, y1: f.joints[2 * J.root + 1] + 2 } });

describe.each([
  ['standard figure', hipsAtBottom(standardFigure())],
  ['figure with an arm held against the torso', hipsAtBottom(armDownFigure())],
])('extreme poses: %s', (_name, f) => {
  const ch = character(f);
  const W = f.width + 200; const H = f.height + 100;
  const green = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) green[3 * i + 1] = 255;

  it('no two layers share a vertex', () => {
    const groupOf = new Map<number, string>();
    const { triangles, triangleBone } = ch.rig;
    for (let t = 0; t < triangleBone.length; t++) {
      for (let k = 0; k < 3; k++) {
        const v = triangles[3 * t + k];
        const g = boneGroup(triangleBone[t]);
        expect(groupOf.get(v) ?? g, `vertex ${v}`).toBe(g);
        groupOf.set(v, g);
      }
    }
  });

  it.each(POSES)('$name: no background inside the silhouette, no folded triangle', (c) => {
    // Centre the figure in a larger canvas, so limbs flung out stay on it.
    const shifted = Float64Array.from(posed(f, c), (v, i) => v + (i % 2 === 0 ? 100 : 50));
    // The face turned as far beyond its bone as the retargeting ever turns it.
    const headTwist = deg(HEAD_TWIST_DEG);
    const plan: RetargetPlan = {
      canvasWidth: W, canvasHeight: H, transform: { scale: 1, dx: 0, dy: 0 },
      frames: [{ joints: shifted, mirror: false, order: c.order ?? [...DEFAULT_LAYER_ORDER], headTwist }],
    };
    const frame = renderFrame(ch, plan, 0, green, new Float32Array(ch.rig.rest.length));
    const out = deformRig(ch.rig, boneTransforms(ch.rig.restJoints, shifted, { headTwist }));
    expect(folded(ch.rig.rest, out, ch.rig.triangles), 'folded or collapsed triangles').toBe(0);
    // Background pixels inside the silhouette, measured in canvas coordinates.
    const shiftedFigure: FigureSpec = {
      ...f, width: W, height: H, torso: { x0: f.torso.x0 + 100, x1: f.torso.x1 + 100, y0: f.torso.y0 + 50, y1: f.torso.y1 + 50 },
    };
    const n = cracks(shiftedFigure, shifted, frame, W, H);
    if (n > 0) dumpFrame(`${_name}-${c.name}`, frame, W, H);
    expect(n, `green pixels inside the figure, e.g. at ${marks.slice(0, 6).map((i) => `(${i % W},${Math.floor(i / W)})`).join(' ')}`).toBe(0);
  });
});
