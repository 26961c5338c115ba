/**
 * Part labels: multi-source Dijkstra over mask pixels seeded along each bone; every pixel takes the
 * bone nearest to it INSIDE the mask (an arm lying on the torso is still nearest to the arm bone).
 */
import type { BinaryMask } from '../segment/mask.js';
import { segmentDistance } from '../geometry/segment.js';
import type { RasterImage } from '../types.js';
import { geodesic, type EdgeCost } from './geodesic.js';
import { JOINTS, JOINT_INDEX as J, PARENT, boneGroup, limbOf, type JointPositions } from './skeleton.js';

const SEEDS_PER_BONE = 20;
/** The labelling grid is downscaled to at most about this many mask pixels. */
const MAX_LABEL_PIXELS = 60_000;

/** Bones (child joint index) whose two joints are both seen. */
export function presentBones(present: readonly boolean[]): number[] {
  const out: number[] = [];
  for (let b = 1; b < JOINTS.length; b++) if (present[b] && present[PARENT[b]]) out.push(b);
  return out;
}

export function distToBone(x: number, y: number, rest: JointPositions, b: number): number {
  const p = PARENT[b];
  return segmentDistance(x, y, rest[2 * p], rest[2 * p + 1], rest[2 * b], rest[2 * b + 1]);
}

function nearestBone(x: number, y: number, rest: JointPositions, bones: number[]): number {
  let best = bones[0]; let bestD = Infinity;
  for (const b of bones) {
    const d = distToBone(x, y, rest, b);
    if (d < bestD) { bestD = d; best = b; }
  }
  return best;
}

/** Bone labels over a (downscaled) grid of the mask: each pixel's nearest bone inside the mask. */
export interface LabelGrid { f: number; w: number; h: number; label: Int32Array; bones: number[] }

/** How much a strong colour edge costs to cross, in steps, and the colour distance that counts as strong. */
const EDGE_COST = 8;
const EDGE_SIGMA = 40;

/** Mean colour of the mask's pixels in each f×f cell (RGB 0..255). */
function cellColours(image: RasterImage, m: BinaryMask, f: number, w: number, h: number): Float32Array {
  const sum = new Float32Array(w * h * 3);
  const count = new Uint32Array(w * h);
  const c = image.channels;
  for (let y = 0; y < m.height; y++) {
    const row = Math.floor(y / f) * w;
    for (let x = 0; x < m.width; x++) {
      const i = y * m.width + x;
      if (!m.data[i]) continue;
      const cell = row + Math.floor(x / f);
      sum[3 * cell] += image.data[c * i]; sum[3 * cell + 1] += image.data[c * i + 1]; sum[3 * cell + 2] += image.data[c * i + 2];
      count[cell]++;
    }
  }
  for (let k = 0; k < w * h; k++) {
    if (count[k] === 0) continue;
    sum[3 * k] /= count[k]; sum[3 * k + 1] /= count[k]; sum[3 * k + 2] /= count[k];
  }
  return sum;
}

/**
 * Labels by geodesic distance to the bones inside the mask; with the image, distance also grows
 * across colour edges, so a sleeve lying on a shirt is cut from the shirt along its own outline.
 */
export function computeLabelGrid(m: BinaryMask, rest: JointPositions, present: readonly boolean[], image?: RasterImage): LabelGrid {
  const bones = presentBones(present);
  if (bones.length === 0) bones.push(1);
  let area = 0;
  for (let i = 0; i < m.data.length; i++) area += m.data[i];
  const f = Math.max(1, Math.ceil(Math.sqrt(area / MAX_LABEL_PIXELS)));
  const w = Math.ceil(m.width / f); const h = Math.ceil(m.height / f);
  // A coarse pixel is inside when any of its fine pixels is: thin limbs stay connected.
  const grid = new Uint8Array(w * h);
  for (let y = 0; y < m.height; y++) {
    const row = Math.floor(y / f) * w;
    for (let x = 0; x < m.width; x++) if (m.data[y * m.width + x]) grid[row + Math.floor(x / f)] = 1;
  }
  const sources: number[] = []; const labels: number[] = [];
  const seedPoints = (x0: number, y0: number, x1: number, y1: number, label: number, keep?: (x: number, y: number) => boolean) => {
    for (let k = 0; k < SEEDS_PER_BONE; k++) {
      const t = (k + 0.5) / SEEDS_PER_BONE;
      const px = x0 + t * (x1 - x0); const py = y0 + t * (y1 - y0);
      if (keep && !keep(px, py)) continue;
      const x = Math.floor(px / f);
      const y = Math.floor(py / f);
      if (x < 0 || y < 0 || x >= w || y >= h || !grid[y * w + x]) continue;
      sources.push(y * w + x); labels.push(label);
    }
  };
  const seedLine = (from: number, to: number, label: number) =>
    seedPoints(rest[2 * from], rest[2 * from + 1], rest[2 * to], rest[2 * to + 1], label);
  // Thighs are seeded from a quarter of the way down: the pelvis is left to the trunk, so a raised
  // knee does not tear it away; the thigh's own top inside it is its hidden part (hidden.ts).
  // (Upper arms are not: a sleeve the colour of the shirt would leave shards on the torso.)
  // Under a skirt or a dress the legs are joined down to the hem: the garment is the trunk's
  // (it would tear in two between thighs moving apart), and the thighs begin below it.
  const UPPER = new Set([J.l_knee, J.r_knee]);
  const rgb = image && image.width === m.width && image.height === m.height ? cellColours(image, m, f, w, h) : undefined;
  const thighStart = Math.max(0.25, rgb ? joinedLegsFraction(grid, rgb, w, h, f, rest, present) : 0);
  for (const b of bones) {
    if (UPPER.has(b)) {
      const p = PARENT[b];
      const at = (t: number) => [rest[2 * p] + t * (rest[2 * b] - rest[2 * p]), rest[2 * p + 1] + t * (rest[2 * b + 1] - rest[2 * p + 1])];
      const [sx, sy] = at(thighStart);
      seedPoints(sx, sy, rest[2 * b], rest[2 * b + 1], b);
      if (thighStart > 0.25) { const [ex, ey] = at(thighStart - 0.05); seedPoints(rest[2 * p], rest[2 * p + 1], ex, ey, J.neck); }
    } else if (b === J.l_wrist || b === J.r_wrist) {
      // The forearm's seeds go on into the hand (a third of the forearm's length past the wrist), so
      // a hand lying on the body goes with the arm.
      const p = PARENT[b];
      const ex = rest[2 * p]; const ey = rest[2 * p + 1]; const wx = rest[2 * b]; const wy = rest[2 * b + 1];
      seedPoints(ex, ey, wx + 0.3 * (wx - ex), wy + 0.3 * (wy - ey), b);
    } else seedLine(PARENT[b], b, b);
  }
  // The head reaches above the nose about as far as the nose is above the neck (hair, hat).
  if (present[J.head] && present[J.neck]) {
    const hx = rest[2 * J.head]; const hy = rest[2 * J.head + 1];
    seedPoints(hx, hy, hx + 0.8 * (hx - rest[2 * J.neck]), hy + 0.8 * (hy - rest[2 * J.neck + 1]), J.head);
  }
  // The torso's sides (shoulder to hip) are trunk too: a wide torso is not claimed by the upper arms.
  // Not where a forearm lies over them, though (a fist on the belly, hands held in front): there
  // the forearm's own seeds are the nearer truth.
  const forearms = ([[J.l_elbow, J.l_wrist, J.l_shoulder], [J.r_elbow, J.r_wrist, J.r_shoulder]] as const)
    .filter(([e, wr, sh]) => present[e] && present[wr] && present[sh])
    .map(([e, wr, sh]) => ({ e, wr, reach: 0.35 * Math.hypot(rest[2 * e] - rest[2 * sh], rest[2 * e + 1] - rest[2 * sh + 1]) }));
  // (The hand reaches about 0.6 of the forearm's length past the wrist.)
  const underForearm = (x: number, y: number) => forearms.some(({ e, wr, reach }) => {
    const ex = rest[2 * e]; const ey = rest[2 * e + 1]; const wx = rest[2 * wr]; const wy = rest[2 * wr + 1];
    return segmentDistance(x, y, ex, ey, wx + 0.6 * (wx - ex), wy + 0.6 * (wy - ey)) < reach;
  });
  for (const [s, hip] of [[J.l_shoulder, J.l_hip], [J.r_shoulder, J.r_hip]]) {
    if (present[s] && present[hip] && present[J.neck] && present[J.root]) {
      seedPoints(rest[2 * s], rest[2 * s + 1], rest[2 * hip], rest[2 * hip + 1], J.neck, (x, y) => !underForearm(x, y));
    }
  }
  const edges: EdgeCost | undefined = rgb ? { rgb, k: EDGE_COST, sigma: EDGE_SIGMA } : undefined;
  return { f, w, h, label: geodesic(grid, w, h, sources, labels, edges).label, bones };
}

/**
 * How far down the thighs (0 hip … 1 knee) the legs stay joined by the mask: the first fraction at
 * which the straight line between the two thigh bones leaves the mask. Trousers part a little below
 * the hips; a skirt or a dress only at its hem (at most 0.85, so the thigh keeps a part). Where the
 * thighs overlap in the picture (a side view), the line is too short to tell, and 0 is returned.
 * Trousers joined down to the knees (baggy ones, legs together) go on below in the same cloth; a
 * skirt ends at a hem with legs of another colour below: only then is the garment the trunk's.
 */
export function joinedLegsFraction(grid: Uint8Array, rgb: Float32Array, w: number, h: number, f: number, rest: JointPositions, present: readonly boolean[]): number {
  if (![J.l_hip, J.r_hip, J.l_knee, J.r_knee].every((j) => present[j])) return 0;
  const pt = (a: number, b: number, t: number) => [rest[2 * a] + t * (rest[2 * b] - rest[2 * a]), rest[2 * a + 1] + t * (rest[2 * b + 1] - rest[2 * a + 1])];
  const thigh = (Math.hypot(rest[2 * J.l_knee] - rest[2 * J.l_hip], rest[2 * J.l_knee + 1] - rest[2 * J.l_hip + 1])
    + Math.hypot(rest[2 * J.r_knee] - rest[2 * J.r_hip], rest[2 * J.r_knee + 1] - rest[2 * J.r_hip + 1])) / 2;
  const inside = (x: number, y: number) => {
    const gx = Math.floor(x / f); const gy = Math.floor(y / f);
    return gx >= 0 && gy >= 0 && gx < w && gy < h && grid[gy * w + gx] === 1;
  };
  const above: number[] = [0, 0, 0, 0];
  const add = (acc: number[], x: number, y: number) => {
    if (!inside(x, y)) return;
    const cell = Math.floor(y / f) * w + Math.floor(x / f);
    acc[0] += rgb[3 * cell]; acc[1] += rgb[3 * cell + 1]; acc[2] += rgb[3 * cell + 2]; acc[3]++;
  };
  let joined = 0;
  for (let t = 0.2; t <= 0.851; t += 0.05) {
    const [ax, ay] = pt(J.l_hip, J.l_knee, t); const [bx, by] = pt(J.r_hip, J.r_knee, t);
    const span = Math.hypot(bx - ax, by - ay);
    if (span < 0.25 * thigh) break;
    const steps = Math.max(2, Math.ceil(span / f));
    let gap = false;
    for (let k = 1; k < steps && !gap; k++) gap = !inside(ax + (k / steps) * (bx - ax), ay + (k / steps) * (by - ay));
    if (gap) break;
    joined = t;
  }
  // The garment on both thighs above that line (not between them: the crotch's fold is in shadow).
  for (let t = 0.3; t <= joined - 0.05 + 1e-9; t += 0.05) {
    for (const [a, b] of [[J.l_hip, J.l_knee], [J.r_hip, J.r_knee]]) { const [x, y] = pt(a, b, t); add(above, x, y); }
  }
  if (joined < 0.35 || above[3] === 0) return 0;
  // The legs just below the joined part, on both thighs.
  const below: number[] = [0, 0, 0, 0];
  for (const t of [joined + 0.08, joined + 0.12]) {
    const s = Math.min(1, t);
    for (const [a, b] of [[J.l_hip, J.l_knee], [J.r_hip, J.r_knee]]) { const [x, y] = pt(a, b, s); add(below, x, y); }
  }
  if (below[3] === 0) return joined;
  const d = Math.hypot(above[0] / above[3] - below[0] / below[3], above[1] / above[3] - below[1] / below[3], above[2] / above[3] - below[2] / below[3]);
  return d >= HEM_CONTRAST ? joined : 0;
}

/** Colour distance (RGB) between a garment and the legs below it that makes it a skirt's hem. */
const HEM_CONTRAST = 45;

/** Bone label per triangle (of its centroid). */
export function labelTriangles(g: LabelGrid, rest: JointPositions, points: Float64Array, tris: Uint32Array): Uint8Array {
  const { f, w, h } = g;
  const nTri = tris.length / 3;
  const out = new Uint8Array(nTri);
  for (let t = 0; t < nTri; t++) {
    let cx = 0; let cy = 0;
    for (let k = 0; k < 3; k++) { cx += points[2 * tris[3 * t + k]]; cy += points[2 * tris[3 * t + k] + 1]; }
    cx /= 3; cy /= 3;
    const gx = Math.min(w - 1, Math.max(0, Math.floor(cx / f))); const gy = Math.min(h - 1, Math.max(0, Math.floor(cy / f)));
    const l = g.label[gy * w + gx];
    out[t] = l > 0 ? l : nearestBone(cx, cy, rest, g.bones);
  }
  return out;
}

export function labelBones(
  m: BinaryMask, rest: JointPositions, present: readonly boolean[], points: Float64Array, tris: Uint32Array,
): Uint8Array {
  return labelTriangles(computeLabelGrid(m, rest, present), rest, points, tris);
}

/**
 * Points along the borders between part groups (image px), at least `minDist` apart. Meshed
 * together with the outline, they make triangle edges follow those borders, so a limb that moves
 * away from the torso leaves a clean edge instead of a saw-tooth of grid triangles.
 */
export function groupBorderPoints(g: LabelGrid, minDist: number): number[] {
  const { f, w, h, label } = g;
  const groupOf = (l: number) => (l > 0 ? limbOf(boneGroup(l)) : null);
  const cell = Math.max(1, minDist / Math.SQRT2);
  const taken = new Map<number, [number, number]>();
  const key = (x: number, y: number) => Math.floor(y / cell) * 1e6 + Math.floor(x / cell);
  const free = (x: number, y: number) => {
    const cx = Math.floor(x / cell); const cy = Math.floor(y / cell);
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const p = taken.get((cy + dy) * 1e6 + cx + dx);
        if (p && Math.hypot(p[0] - x, p[1] - y) < minDist) return false;
      }
    }
    return true;
  };
  const out: number[] = [];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const a = groupOf(label[y * w + x]);
      if (a === null) continue;
      for (const [nx, ny] of [[x + 1, y], [x, y + 1]]) {
        if (nx >= w || ny >= h) continue;
        const b = groupOf(label[ny * w + nx]);
        if (b === null || b === a) continue;
        const px = ((x + nx) / 2 + 0.5) * f - 0.5; const py = ((y + ny) / 2 + 0.5) * f - 0.5;
        if (!free(px, py)) continue;
        taken.set(key(px, py), [px, py]);
        out.push(px, py);
      }
    }
  }
  return out;
}
