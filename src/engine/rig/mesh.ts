/**
 * The character rig: a triangle mesh over the mask, each triangle labelled with its nearest bone
 * inside the mask, split where body-part groups touch, with geodesic skinning weights.
 */
import Delaunator from 'delaunator';
import { components, dilate, insideDistance, type BinaryMask } from '../segment/mask.js';
import { boundaryLoops, simplifyLoop } from './contour.js';
import { computeLabelGrid, groupBorderPoints, labelTriangles } from './labels.js';
import { GROUP_ATTACH_JOINT, GROUP_PARENT, JOINTS, PARENT, PART_GROUPS, boneGroup, groupIndex, type JointPositions } from './skeleton.js';
import { skinningWeights, type SkinWeights } from './weights.js';

export interface Rig {
  /** Texture (reference image) size. */
  width: number; height: number;
  /** Vertex positions, 2 per vertex, image px (= texture coordinates; pixel centres at integers). */
  rest: Float32Array;
  /** 3 vertex indices per triangle. */
  triangles: Uint32Array;
  /** The bone (joint index 1..14) each triangle belongs to. */
  triangleBone: Uint8Array;
  weights: SkinWeights;
  /**
   * 3 flags per triangle for edge k (v_k → v_{k+1}): 0 interior (shared with a triangle it stays
   * attached to), 1 on the silhouette, 2 on a contact between groups that were split apart.
   */
  boundaryEdge: Uint8Array;
  restJoints: JointPositions;
}

export interface BuildRigOptions {
  /** Approximate vertex count (default 500). */
  targetVertices?: number;
  /** Per joint: seen in the image. Bones to unseen joints get no part of the mesh. */
  present?: boolean[];
}

/** Keeps components of at least 2% of the largest one (specks would only add slivers). */
function withoutSpecks(m: BinaryMask): BinaryMask {
  const { labels, sizes } = components(m, 1);
  const big = Math.max(0, ...sizes.slice(1));
  const data = new Uint8Array(m.data.length);
  for (let i = 0; i < data.length; i++) data[i] = labels[i] > 0 && sizes[labels[i]] >= 0.02 * big ? 1 : 0;
  return { width: m.width, height: m.height, data };
}

/**
 * Outline points are closer than grid points (relative to the grid spacing) and grid points keep
 * half a spacing from the outline, so outline edges are Delaunay (Gabriel) edges and triangles
 * follow the outline into concave corners.
 */
const OUTLINE_SPACING = 0.6;
const GRID_CLEARANCE = 0.5;

/** Grid spacing s so that area/s² interior points plus the outline points ≈ target. */
function spacingFor(m: BinaryMask, target: number): { spacing: number; area: number } {
  const { width: w, height: h, data } = m;
  let area = 0; let perim = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!data[i]) continue;
      area++;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1 || !data[i - 1] || !data[i + 1] || !data[i - w] || !data[i + w]) perim++;
    }
  }
  const p = perim / OUTLINE_SPACING;
  const u = (-p + Math.sqrt(p * p + 4 * area * target)) / (2 * area);
  return { spacing: Math.max(2, 1 / u), area };
}

function inside(m: BinaryMask, x: number, y: number): boolean {
  const xi = Math.round(x); const yi = Math.round(y);
  return xi >= 0 && yi >= 0 && xi < m.width && yi < m.height && m.data[yi * m.width + xi] === 1;
}

/** Mesh points (outline loops + interior grid) and the Delaunay triangles kept inside the mask. */
export function triangulate(
  m: BinaryMask, target: number, borders?: (spacing: number) => number[],
): { points: Float64Array; triangles: Uint32Array; spacing: number } {
  const { spacing } = spacingFor(m, target);
  const pts: number[] = [];
  const tol = Math.max(0.75, spacing / 10);
  for (const loop of boundaryLoops(m, Math.max(4, (spacing * spacing) / 4))) pts.push(...simplifyLoop(loop, m.width, tol, OUTLINE_SPACING * spacing));
  const dist = insideDistance(m);
  // Inner borders (between part groups) are meshed like the outline: dense points, grid kept clear.
  const candidates = borders?.(spacing) ?? [];
  const inner: number[] = [];
  for (let i = 0; i < candidates.length; i += 2) {
    const xi = Math.round(candidates[i]); const yi = Math.round(candidates[i + 1]);
    if (xi >= 0 && yi >= 0 && xi < m.width && yi < m.height && dist[yi * m.width + xi] >= GRID_CLEARANCE * spacing) {
      inner.push(candidates[i], candidates[i + 1]);
    }
  }
  const innerIndex = new Map<number, number[]>();
  const cellOf = (x: number, y: number) => Math.floor(y / spacing) * 1e6 + Math.floor(x / spacing);
  for (let i = 0; i < inner.length; i += 2) {
    const k = cellOf(inner[i], inner[i + 1]);
    const list = innerIndex.get(k) ?? [];
    list.push(i);
    innerIndex.set(k, list);
  }
  const nearInner = (x: number, y: number) => {
    const cx = Math.floor(x / spacing); const cy = Math.floor(y / spacing);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        for (const i of innerIndex.get((cy + dy) * 1e6 + cx + dx) ?? []) {
          if (Math.hypot(inner[i] - x, inner[i + 1] - y) < GRID_CLEARANCE * spacing) return true;
        }
      }
    }
    return false;
  };
  pts.push(...inner);
  const half = spacing / 2;
  for (let y = half; y < m.height; y += spacing) {
    for (let x = half; x < m.width; x += spacing) {
      const xi = Math.round(x); const yi = Math.round(y);
      if (xi < m.width && yi < m.height && dist[yi * m.width + xi] >= GRID_CLEARANCE * spacing && !nearInner(x, y)) pts.push(x, y);
    }
  }
  const points = Float64Array.from(pts);
  if (points.length < 6) return { points, triangles: new Uint32Array(0), spacing };
  const del = new Delaunator(points);
  const kept: number[] = [];
  const t = del.triangles;
  // Midpoints of outline chords may round just outside a convex outline: test them 1 px out.
  const near = dilate(m, 1);
  for (let i = 0; i < t.length; i += 3) {
    const a = t[i]; const b = t[i + 1]; const c = t[i + 2];
    const ax = points[2 * a]; const ay = points[2 * a + 1]; const bx = points[2 * b]; const by = points[2 * b + 1];
    const cx = points[2 * c]; const cy = points[2 * c + 1];
    // Centroid inside (AnimatedDrawings' test); edge midpoints too, so no triangle bridges a gap.
    if (!inside(m, (ax + bx + cx) / 3, (ay + by + cy) / 3)) continue;
    if (!inside(near, (ax + bx) / 2, (ay + by) / 2) || !inside(near, (bx + cx) / 2, (by + cy) / 2) || !inside(near, (cx + ax) / 2, (cy + ay) / 2)) continue;
    kept.push(a, b, c);
  }
  return { points, triangles: Uint32Array.from(kept), spacing };
}

/** Radius around each limb's attach joint inside which the limb stays joined to its parent group. */
function joinRadius(rest: JointPositions, spacing: number): Float64Array {
  const r = new Float64Array(JOINTS.length);
  for (const g of PART_GROUPS) {
    const j = GROUP_ATTACH_JOINT[g];
    if (j < 0) continue;
    // The first bone of the limb starts at j: its child's length sets the scale.
    const child = PARENT.findIndex((p, i) => p === j && boneGroup(i) === g);
    const len = child > 0 ? Math.hypot(rest[2 * child] - rest[2 * j], rest[2 * child + 1] - rest[2 * j + 1]) : 0;
    r[j] = Math.max(0.5 * len, 1.5 * spacing);
  }
  return r;
}

/** Whether groups a and b stay attached at point (x, y): one hangs from the other and the point is near that joint. */
function joined(a: number, b: number, x: number, y: number, rest: JointPositions, radius: Float64Array): boolean {
  const ga = PART_GROUPS[a]; const gb = PART_GROUPS[b];
  const child = GROUP_PARENT[ga] === gb ? ga : GROUP_PARENT[gb] === ga ? gb : null;
  if (child === null) return false;
  const j = GROUP_ATTACH_JOINT[child];
  return Math.hypot(x - rest[2 * j], y - rest[2 * j + 1]) <= radius[j];
}

export function buildRig(mask: BinaryMask, restJoints: JointPositions, o: BuildRigOptions = {}): Rig {
  const m = withoutSpecks(mask);
  const present = o.present ?? JOINTS.map(() => true);
  const labelGrid = computeLabelGrid(m, restJoints, present);
  const { points, triangles: tris0, spacing } = triangulate(m, o.targetVertices ?? 500,
    (sp) => groupBorderPoints(labelGrid, OUTLINE_SPACING * sp));
  const triBone = labelTriangles(labelGrid, restJoints, points, tris0);
  const nTri = tris0.length / 3;
  const triGroup = new Uint8Array(nTri);
  for (let t = 0; t < nTri; t++) triGroup[t] = groupIndex(boneGroup(triBone[t]));

  // Split vertices where groups meet away from their attach joint.
  const nPts = points.length / 2;
  const incident: number[][] = Array.from({ length: nPts }, () => []);
  for (let t = 0; t < nTri; t++) for (let k = 0; k < 3; k++) incident[tris0[3 * t + k]].push(t);
  const radius = joinRadius(restJoints, spacing);
  const rest: number[] = [];
  const remap = new Map<number, number>(); // (vertex * 16 + group) -> new index
  for (let v = 0; v < nPts; v++) {
    if (incident[v].length === 0) continue;
    const groups = [...new Set(incident[v].map((t) => triGroup[t]))];
    const cls = groups.map((_, i) => i);
    const find = (i: number): number => (cls[i] === i ? i : (cls[i] = find(cls[i])));
    for (let i = 0; i < groups.length; i++) {
      for (let k = i + 1; k < groups.length; k++) {
        if (joined(groups[i], groups[k], points[2 * v], points[2 * v + 1], restJoints, radius)) cls[find(i)] = find(k);
      }
    }
    const copyOf = new Map<number, number>();
    groups.forEach((g, i) => {
      const root = find(i);
      let idx = copyOf.get(root);
      if (idx === undefined) {
        idx = rest.length / 2;
        rest.push(points[2 * v], points[2 * v + 1]);
        copyOf.set(root, idx);
      }
      remap.set(v * 16 + g, idx);
    });
  }
  const triangles = new Uint32Array(tris0.length);
  for (let t = 0; t < nTri; t++) for (let k = 0; k < 3; k++) triangles[3 * t + k] = remap.get(tris0[3 * t + k] * 16 + triGroup[t])!;

  const boundaryEdge = edgeFlags(tris0, triangles, nPts, rest.length / 2);
  const restArr = Float32Array.from(rest);
  const weights = skinningWeights(restArr, triangles, triBone, restJoints, present, spacing);
  return {
    width: mask.width, height: mask.height, rest: restArr, triangles, triangleBone: triBone, weights,
    boundaryEdge, restJoints: Float64Array.from(restJoints),
  };
}

/** Edge flags: 0 shared after splitting, 2 shared only before splitting (a contact), 1 silhouette. */
function edgeFlags(before: Uint32Array, after: Uint32Array, nBefore: number, nAfter: number): Uint8Array {
  const count = (tris: Uint32Array, n: number) => {
    const c = new Map<number, number>();
    for (let i = 0; i < tris.length; i += 3) {
      for (let k = 0; k < 3; k++) {
        const a = tris[i + k]; const b = tris[i + (k + 1) % 3];
        const key = Math.min(a, b) * n + Math.max(a, b);
        c.set(key, (c.get(key) ?? 0) + 1);
      }
    }
    return c;
  };
  const cb = count(before, nBefore); const ca = count(after, nAfter);
  const flags = new Uint8Array(after.length);
  for (let i = 0; i < after.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const a = after[i + k]; const b = after[i + (k + 1) % 3];
      if ((ca.get(Math.min(a, b) * nAfter + Math.max(a, b)) ?? 0) >= 2) continue;
      const a0 = before[i + k]; const b0 = before[i + (k + 1) % 3];
      flags[i + k] = (cb.get(Math.min(a0, b0) * nBefore + Math.max(a0, b0)) ?? 0) >= 2 ? 2 : 1;
    }
  }
  return flags;
}
