/**
 * The character rig: a triangle mesh over the mask, each triangle labelled with its nearest bone
 * inside the mask, split where body-part groups touch, with geodesic skinning weights.
 */
import Delaunator from 'delaunator';
import { components, dilate, insideDistance, type BinaryMask } from '../segment/mask.js';
import { boundaryLoops, simplifyLoop } from './contour.js';
import { computeLabelGrid, distToBone, groupBorderPoints, labelTriangles } from './labels.js';
import { layerMaps, ownLayers, type LayerMaps } from './hidden.js';
import {
  JOINTS, JOINT_INDEX as J, PARENT, PART_GROUPS, boneGroup, firstBoneOf, groupIndex, type JointPositions,
} from './skeleton.js';
import { skinningWeights, type SkinWeights } from './weights.js';
import type { RasterImage } from '../types.js';

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
  /**
   * Per triangle: -1 for a layer's own triangle, HIDDEN_COPY for a copy over what its layer hides
   * in the picture (drawn under the layer's own triangles, from the hidden-part texture).
   */
  copyKind: Int8Array;
  /** Texture coordinates per vertex (image px of the texture). */
  uv: Float32Array;
  /** Per pixel of the picture: the layer it shows and the layer it hides a part of. */
  layers: LayerMaps;
  restJoints: JointPositions;
}

export interface BuildRigOptions {
  /** Approximate vertex count (default 500). */
  targetVertices?: number;
  /** Per joint: seen in the image. Bones to unseen joints get no part of the mesh. */
  present?: boolean[];
  /** The picture the mask was cut from: part borders then follow its colour edges. */
  image?: RasterImage;
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

const edgeId = (a: number, b: number) => Math.min(a, b) * 1_000_003 + Math.max(a, b);

/** Mesh points (outline loops + interior grid) and the Delaunay triangles kept inside the mask. */
export function triangulate(
  m: BinaryMask, target: number, borders?: (spacing: number) => number[],
): { points: Float64Array; triangles: Uint32Array; spacing: number } {
  const { spacing } = spacingFor(m, target);
  const pts: number[] = [];
  const tol = Math.max(0.75, spacing / 10);
  // Consecutive outline points: their chords may cut a corner of a ragged outline (hair) and
  // still belong to the mesh.
  const outlineEdges = new Set<number>();
  for (const loop of boundaryLoops(m, Math.max(4, (spacing * spacing) / 4))) {
    const first = pts.length / 2;
    pts.push(...simplifyLoop(loop, m.width, tol, OUTLINE_SPACING * spacing));
    const n = pts.length / 2 - first;
    for (let k = 0; k < n && n > 2; k++) outlineEdges.add(edgeId(first + k, first + (k + 1) % n));
  }
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
    // Centroid inside (AnimatedDrawings' test); midpoints of edges across the shape too, so no
    // triangle bridges a gap.
    if (!inside(m, (ax + bx + cx) / 3, (ay + by + cy) / 3)) continue;
    const bridges = (p: number, q: number, x: number, y: number) => !outlineEdges.has(edgeId(p, q)) && !inside(near, x, y);
    if (bridges(a, b, (ax + bx) / 2, (ay + by) / 2) || bridges(b, c, (bx + cx) / 2, (by + cy) / 2) || bridges(c, a, (cx + ax) / 2, (cy + ay) / 2)) continue;
    kept.push(a, b, c);
  }
  return { points, triangles: Uint32Array.from(kept), spacing };
}

export function buildRig(mask: BinaryMask, restJoints: JointPositions, o: BuildRigOptions = {}): Rig {
  const m = withoutSpecks(mask);
  const present = o.present ?? JOINTS.map(() => true);
  const labelGrid = computeLabelGrid(m, restJoints, present, o.image);
  const { points, triangles: tris0, spacing } = triangulate(m, o.targetVertices ?? 500,
    (sp) => groupBorderPoints(labelGrid, OUTLINE_SPACING * sp));
  const triBone0 = labelTriangles(labelGrid, restJoints, points, tris0);
  const nTri = tris0.length / 3;
  const triGroup = new Uint8Array(nTri);
  for (let t = 0; t < nTri; t++) triGroup[t] = groupIndex(boneGroup(triBone0[t]));

  // One copy of a vertex per group that uses it: no two layers share a vertex, so each layer moves
  // on its own and none is ever dragged, folded or torn by another.
  const nPts = points.length / 2;
  const rest: number[] = [];
  const remap = new Map<number, number>(); // (vertex * 16 + group) -> new index
  const triangles0 = new Uint32Array(tris0.length);
  for (let t = 0; t < nTri; t++) {
    for (let k = 0; k < 3; k++) {
      const v = tris0[3 * t + k];
      const key = v * 16 + triGroup[t];
      let idx = remap.get(key);
      if (idx === undefined) {
        idx = rest.length / 2;
        rest.push(points[2 * v], points[2 * v + 1]);
        remap.set(key, idx);
      }
      triangles0[3 * t + k] = idx;
    }
  }
  const flags0 = edgeFlags(tris0, triangles0, nPts, rest.length / 2);
  const ownWeights = skinningWeights(Float32Array.from(rest), triangles0, triBone0, restJoints, present, spacing);

  const copies = new CopyBuilder(rest, triangles0, triBone0, flags0);

  // Hidden parts: each layer also gets copies of the triangles over what it hides in the picture
  // (textured by the renderer from a fill of the layer's own pixels), drawn under its own triangles.
  const maps = layerMaps(ownLayers(m.width, m.height, points, tris0, triGroup), m.width, m.height, restJoints, present);
  copies.addHidden(maps, restJoints, present);
  const built = copies.result();

  const nOwnV = ownWeights.bones.length / ownWeights.perVertex;
  const nV = rest.length / 2;
  const bones = new Uint8Array(nV * ownWeights.perVertex); bones.set(ownWeights.bones);
  const w = new Float32Array(nV * ownWeights.perVertex); w.set(ownWeights.w);
  for (let v = nOwnV; v < nV; v++) { bones[v * ownWeights.perVertex] = built.vertexBone[v - nOwnV]; w[v * ownWeights.perVertex] = 1; }
  const restArr = Float32Array.from(rest);
  return {
    width: mask.width, height: mask.height, rest: restArr, uv: restArr, triangles: built.triangles, triangleBone: built.triBone,
    weights: { bones, w, perVertex: ownWeights.perVertex }, boundaryEdge: built.flags, copyKind: built.copyKind,
    layers: maps, restJoints: Float64Array.from(restJoints),
  };
}

/** Marks a hidden-part copy in Rig.overlapOf. */
export const HIDDEN_COPY = -2;

/** Appends copies of the layers' own triangles, each copy with its own vertices bound to one bone. */
class CopyBuilder {
  private readonly tris: number[];
  private readonly bone: number[];
  private readonly flags: number[];
  private readonly copyKind: number[];
  private readonly vertexBone: number[] = [];
  private readonly nTri: number;

  constructor(
    private readonly rest: number[], private readonly triangles0: Uint32Array,
    private readonly triBone0: Uint8Array, flags0: Uint8Array,
  ) {
    this.nTri = triBone0.length;
    this.tris = Array.from(triangles0); this.bone = Array.from(triBone0); this.flags = Array.from(flags0);
    this.copyKind = new Array<number>(this.nTri).fill(-1);
  }

  private centroid(t: number): [number, number] {
    let cx = 0; let cy = 0;
    for (let k = 0; k < 3; k++) { cx += this.rest[2 * this.triangles0[3 * t + k]]; cy += this.rest[2 * this.triangles0[3 * t + k] + 1]; }
    return [cx / 3, cy / 3];
  }

  /** Copies triangles `picked` bound to `boneOf(t)`; flagOf(t, k) gives each edge's flag. */
  private copy(picked: number[], boneOf: (t: number) => number, tag: number, flagOf: (t: number, k: number) => number): void {
    const copyOf = new Map<number, number>();
    for (const t of picked) {
      const b = boneOf(t);
      for (let k = 0; k < 3; k++) {
        const v = this.triangles0[3 * t + k];
        const key = v * 16 + b;
        let c = copyOf.get(key);
        if (c === undefined) {
          c = this.rest.length / 2;
          this.rest.push(this.rest[2 * v], this.rest[2 * v + 1]);
          this.vertexBone.push(b);
          copyOf.set(key, c);
        }
        this.tris.push(c);
        this.flags.push(flagOf(t, k));
      }
      this.bone.push(b);
      this.copyKind.push(tag);
    }
  }

  /** Per layer, copies of the triangles touching what it hides, bound to the layer's bone there. */
  addHidden(maps: LayerMaps, joints: JointPositions, present: readonly boolean[]): void {
    const { width: w, height: h, hidden } = maps;
    const at = (x: number, y: number) => {
      const xi = Math.round(x); const yi = Math.round(y);
      return xi >= 0 && yi >= 0 && xi < w && yi < h ? hidden[yi * w + xi] : -1;
    };
    const trunkBones = [J.neck, J.l_shoulder, J.r_shoulder, J.l_hip, J.r_hip].filter((b) => present[b] && present[PARENT[b]]);
    for (let g = 0; g < PART_GROUPS.length; g++) {
      const layer = PART_GROUPS[g];
      const picked: number[] = [];
      for (let t = 0; t < this.nTri; t++) {
        const [cx, cy] = this.centroid(t);
        let hit = at(cx, cy) === g;
        for (let k = 0; k < 3 && !hit; k++) {
          const v = this.triangles0[3 * t + k];
          hit = at(this.rest[2 * v], this.rest[2 * v + 1]) === g;
        }
        if (hit) picked.push(t);
      }
      if (picked.length === 0) continue;
      let boneOf: (t: number) => number;
      if (layer === 'trunk') {
        if (trunkBones.length === 0) continue;
        boneOf = (t) => {
          const [cx, cy] = this.centroid(t);
          let best = trunkBones[0]; let bestD = Infinity;
          for (const b of trunkBones) { const d = distToBone(cx, cy, joints, b); if (d < bestD) { bestD = d; best = b; } }
          return best;
        };
      } else {
        const first = layer === 'head' ? J.head : firstBoneOf(layer);
        if (first < 0) continue;
        boneOf = () => first;
      }
      // The texture's alpha (the hidden pixels) shapes these copies; their edges draw fully.
      this.copy(picked, boneOf, HIDDEN_COPY, () => 2);
    }
  }

  result(): { triangles: Uint32Array; triBone: Uint8Array; flags: Uint8Array; copyKind: Int8Array; vertexBone: number[] } {
    return {
      triangles: Uint32Array.from(this.tris), triBone: Uint8Array.from(this.bone), flags: Uint8Array.from(this.flags),
      copyKind: Int8Array.from(this.copyKind), vertexBone: this.vertexBone,
    };
  }
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
