/**
 * Drawings on paper rendered in code, as a phone would see them: paper lit unevenly (a shadow
 * gradient), a dark table along two edges beyond the sheet's edge, grain noise, and pen or pencil
 * strokes: a stick figure, a thin outline of a figure (optionally left open), a blob.
 */
import { JOINTS, JOINT_INDEX as J, type JointPositions } from '../../src/engine/rig/skeleton.js';
import type { BinaryMask } from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';
import { rng } from '../helpers/rng.js';
import { figureMask, type FigureSpec } from './rig-figure.js';

export const W = 600;
export const H = 800;

/** Where the sheet ends: the table shows left of x = TABLE_X and below y = TABLE_Y. */
const TABLE_X = 30;
const TABLE_Y = 770;

export interface Drawing {
  image: RasterImage;
  /** Pixels the pen touched. */
  ink: BinaryMask;
  /** The figure's joints as drawn. */
  joints: JointPositions;
}

function paperAt(x: number, y: number, noise: number): [number, number, number] {
  if (x < TABLE_X || y > TABLE_Y) return [70 + noise, 62 + noise, 55 + noise];
  // Lit from the top right; the bottom left is in shadow at 60% of the light.
  const light = 1 - 0.4 * Math.min(1, Math.max(0, (0.6 * (W - x)) / W + (0.6 * y) / H - 0.2));
  return [238 * light + noise, 234 * light + noise, 224 * light + noise];
}

/** Renders ink (coverage 0..1 per pixel) over the shaded paper in a colour of the given darkness. */
function render(coverage: Float32Array, inkLevel: number, seed: number): RasterImage {
  const rand = rng(seed);
  const data = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const noise = (rand() + rand() + rand() - 1.5) * 6;
      const paper = paperAt(x, y, noise);
      const a = coverage[i];
      const ink = [inkLevel * 0.9 + noise, inkLevel * 0.9 + noise, inkLevel + 25 + noise];
      for (let c = 0; c < 3; c++) data[3 * i + c] = Math.max(0, Math.min(255, Math.round(paper[c] * (1 - a) + ink[c] * paper[c] / 235 * a)));
    }
  }
  return { width: W, height: H, channels: 3, data };
}

function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax; const dy = by - ay; const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

type Stroke = { kind: 'line'; a: [number, number]; b: [number, number] } | { kind: 'ring'; c: [number, number]; r: number };

function strokeCoverage(strokes: Stroke[], width: number): Float32Array {
  const cov = new Float32Array(W * H);
  const half = width / 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let d = Infinity;
      for (const s of strokes) {
        d = Math.min(d, s.kind === 'line' ? segDist(x, y, s.a[0], s.a[1], s.b[0], s.b[1]) : Math.abs(Math.hypot(x - s.c[0], y - s.c[1]) - s.r));
      }
      cov[y * W + x] = Math.max(0, Math.min(1, half + 0.5 - d));
    }
  }
  return cov;
}

function inkOf(cov: Float32Array): BinaryMask {
  return { width: W, height: H, data: Uint8Array.from(cov, (v) => (v >= 0.5 ? 1 : 0)) };
}

function jointsOf(list: Record<(typeof JOINTS)[number], [number, number]>): JointPositions {
  const j = new Float64Array(2 * JOINTS.length);
  for (const n of JOINTS) { j[2 * J[n]] = list[n][0]; j[2 * J[n] + 1] = list[n][1]; }
  return j;
}

/** A stick figure in pen, 3 px strokes: a ring for the head, one stroke each for body, arms and legs. */
export function stickFigure(seed = 1): Drawing {
  const joints = jointsOf({
    head: [300, 170], neck: [300, 240], root: [300, 450],
    r_shoulder: [300, 270], r_elbow: [215, 330], r_wrist: [140, 300],
    l_shoulder: [300, 270], l_elbow: [385, 330], l_wrist: [460, 300],
    r_hip: [300, 450], r_knee: [250, 560], r_ankle: [225, 680],
    l_hip: [300, 450], l_knee: [350, 560], l_ankle: [375, 680],
  });
  const p = (n: (typeof JOINTS)[number]): [number, number] => [joints[2 * J[n]], joints[2 * J[n] + 1]];
  const strokes: Stroke[] = [
    { kind: 'ring', c: p('head'), r: 60 },
    { kind: 'line', a: [300, 230], b: p('root') },
    { kind: 'line', a: p('r_shoulder'), b: p('r_elbow') }, { kind: 'line', a: p('r_elbow'), b: p('r_wrist') },
    { kind: 'line', a: p('l_shoulder'), b: p('l_elbow') }, { kind: 'line', a: p('l_elbow'), b: p('l_wrist') },
    { kind: 'line', a: p('root'), b: p('r_knee') }, { kind: 'line', a: p('r_knee'), b: p('r_ankle') },
    { kind: 'line', a: p('root'), b: p('l_knee') }, { kind: 'line', a: p('l_knee'), b: p('l_ankle') },
  ];
  const cov = strokeCoverage(strokes, 3);
  return { image: render(cov, 40, seed), ink: inkOf(cov), joints };
}

/** The rig tests' figure scaled up 1.6× and moved onto the sheet. */
function scaledFigure(f: FigureSpec): FigureSpec {
  const k = 1.6; const dx = 44; const dy = 60;
  const j = Float64Array.from(f.joints, (v, i) => (i % 2 === 0 ? v * k + dx : v * k + dy));
  const t = f.torso;
  return {
    width: W, height: H, joints: j, headRadius: f.headRadius * k, armRadius: f.armRadius * k, legRadius: f.legRadius * k,
    torso: { x0: t.x0 * k + dx, y0: t.y0 * k + dy, x1: t.x1 * k + dx, y1: t.y1 * k + dy },
  };
}

/**
 * The figure's outline only, in 2 px pencil (light grey), with no fill; `gap` px of the outline on
 * the torso's left side left out (an outline that does not close).
 */
export function outlineFigure(f: FigureSpec, gap = 0, seed = 2): Drawing & { filled: BinaryMask } {
  const s = scaledFigure(f);
  const filled = figureMask(s);
  const cov = new Float32Array(W * H);
  const gapY0 = (s.torso.y0 + s.torso.y1) / 2 + 20; // below the armpit, on the torso's side
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      if (!filled.data[i]) continue;
      const edge = !filled.data[i - 1] || !filled.data[i + 1] || !filled.data[i - W] || !filled.data[i + W]
        || !filled.data[i - W - 1] || !filled.data[i - W + 1] || !filled.data[i + W - 1] || !filled.data[i + W + 1];
      if (!edge) continue;
      if (gap > 0 && Math.abs(x - s.torso.x0) < 3 && y >= gapY0 && y < gapY0 + gap) continue;
      cov[i] = 1; if (!filled.data[i - 1]) cov[i - 1] = 1; // 2 px wide, the outer pixel outside
    }
  }
  return { image: render(cov, 120, seed), ink: inkOf(cov), joints: s.joints, filled };
}

/** A closed pen loop with nothing sticking out of it. */
export function blobDrawing(seed = 3): Drawing {
  const cov = strokeCoverage([{ kind: 'ring', c: [300, 400], r: 180 }], 3);
  return { image: render(cov, 40, seed), ink: inkOf(cov), joints: new Float64Array(2 * JOINTS.length) };
}
