/** A stick-figure character rendered in code (head disc, torso rectangle, capsule limbs) for the geometry tests. */
import type { BinaryMask } from '../../src/engine/segment/index.js';
import { JOINTS, JOINT_INDEX as J, PARENT, type JointPositions } from '../../src/engine/rig/skeleton.js';
import type { RasterImage } from '../../src/engine/types.js';
import { rng } from '../helpers/rng.js';

export interface FigureSpec {
  width: number; height: number;
  joints: JointPositions;
  headRadius: number;
  torso: { x0: number; y0: number; x1: number; y1: number };
  armRadius: number; legRadius: number;
}

function jointsOf(list: Partial<Record<(typeof JOINTS)[number], [number, number]>>): JointPositions {
  const j = new Float64Array(2 * JOINTS.length);
  for (const [name, [x, y]] of Object.entries(list) as [(typeof JOINTS)[number], [number, number]][]) {
    j[2 * J[name]] = x; j[2 * J[name] + 1] = y;
  }
  return j;
}

/** Arms out and down, legs apart: a front-facing figure in a 320×420 image. */
export function standardFigure(): FigureSpec {
  return {
    width: 320, height: 420, headRadius: 30, armRadius: 9, legRadius: 12,
    torso: { x0: 122, y0: 100, x1: 198, y1: 232 },
    joints: jointsOf({
      root: [160, 222], neck: [160, 104], head: [160, 58],
      r_shoulder: [126, 110], r_elbow: [84, 152], r_wrist: [52, 194],
      l_shoulder: [194, 110], l_elbow: [236, 152], l_wrist: [268, 194],
      r_hip: [140, 222], r_knee: [134, 300], r_ankle: [130, 378],
      l_hip: [180, 222], l_knee: [186, 300], l_ankle: [190, 378],
    }),
  };
}

/** The standard figure with its left arm (image right) hanging down against the torso. */
export function armDownFigure(): FigureSpec {
  const f = standardFigure();
  const j = Float64Array.from(f.joints);
  j[2 * J.l_shoulder] = 194; j[2 * J.l_shoulder + 1] = 110;
  j[2 * J.l_elbow] = 204; j[2 * J.l_elbow + 1] = 168;
  j[2 * J.l_wrist] = 206; j[2 * J.l_wrist + 1] = 224;
  return { ...f, joints: j };
}

function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax; const dy = by - ay; const l2 = dx * dx + dy * dy;
  const t = l2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)) : 0;
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

const ARM_BONES = [J.l_elbow, J.l_wrist, J.r_elbow, J.r_wrist];
const LEG_BONES = [J.l_knee, J.l_ankle, J.r_knee, J.r_ankle];

/** Pixel-centre membership of the figure's shapes. */
export function insideFigure(f: FigureSpec, x: number, y: number): boolean {
  const j = f.joints;
  if (Math.hypot(x - j[2 * J.head], y - j[2 * J.head + 1]) <= f.headRadius) return true;
  if (x >= f.torso.x0 && x <= f.torso.x1 && y >= f.torso.y0 && y <= f.torso.y1) return true;
  // Neck: a short thick segment from the torso top to the head.
  if (segDist(x, y, j[2 * J.neck], j[2 * J.neck + 1], j[2 * J.head], j[2 * J.head + 1]) <= 12) return true;
  for (const b of ARM_BONES) {
    const p = PARENT[b];
    if (segDist(x, y, j[2 * p], j[2 * p + 1], j[2 * b], j[2 * b + 1]) <= f.armRadius) return true;
  }
  for (const b of LEG_BONES) {
    const p = PARENT[b];
    if (segDist(x, y, j[2 * p], j[2 * p + 1], j[2 * b], j[2 * b + 1]) <= f.legRadius) return true;
  }
  return false;
}

export function figureMask(f: FigureSpec): BinaryMask {
  const data = new Uint8Array(f.width * f.height);
  for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) data[y * f.width + x] = insideFigure(f, x, y) ? 1 : 0;
  return { width: f.width, height: f.height, data };
}

export { rng };

/**
 * The figure drawn on paper: light off-white with grey noise, figure filled with a pale colour and
 * outlined 3 px in dark ink.
 */
export function drawingImage(f: FigureSpec, seed = 1): RasterImage {
  const m = figureMask(f);
  const rand = rng(seed);
  const { width: w, height: h } = f;
  const data = new Uint8Array(w * h * 3);
  const near = (x: number, y: number, r: number) => {
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        const xx = x + dx; const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= w || yy >= h || !m.data[yy * w + xx]) return true;
      }
    }
    return false;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const noise = (rand() + rand() + rand() - 1.5) * 8;
      let rgb: [number, number, number];
      if (!m.data[i]) rgb = [240 + noise, 238 + noise, 232 + noise];
      else if (near(x, y, 2)) rgb = [40 + noise, 40 + noise, 45 + noise];
      else rgb = [250 + noise, 205 + noise, 160 + noise];
      for (let c = 0; c < 3; c++) data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c])));
    }
  }
  return { width: w, height: h, channels: 3, data };
}

export function iou(a: BinaryMask, b: BinaryMask): number {
  let inter = 0; let uni = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i] > 0; const y = b.data[i] > 0;
    if (x && y) inter++;
    if (x || y) uni++;
  }
  return uni ? inter / uni : 1;
}

/** Mesh points of a rig: distinct rest positions (layers and overlaps keep their own copies of a point). */
export function distinctPoints(rig: { rest: Float32Array }): number {
  const seen = new Set<string>();
  for (let v = 0; v < rig.rest.length / 2; v++) seen.add(`${rig.rest[2 * v]},${rig.rest[2 * v + 1]}`);
  return seen.size;
}
