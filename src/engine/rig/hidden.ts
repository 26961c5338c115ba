/**
 * What each layer hides in the picture. A 2D picture shows only the front of overlapping parts:
 * an arm held against the body hides the torso's side, a hand on the face hides the cheek, a
 * thigh's top lies inside the torso's outline. When the front part moves, the part behind must
 * show its own continuation there, never the background. This module finds, per pixel of the
 * reference image, the layer it belongs to and the layer (if any) for which it is hidden.
 * Pure: masks and joints in, per-pixel maps out.
 */
import {
  ARM_GROUPS, GROUP_ATTACH_JOINT, GROUP_PARENT, JOINT_INDEX as J, PART_GROUPS, boneGroup, firstBoneOf, groupIndex,
  type JointPositions, type PartGroup,
} from './skeleton.js';
import { convexHull } from '../geometry/hull.js';
import { squaredDistanceTo } from '../segment/mask.js';

export interface LayerMaps {
  width: number; height: number;
  /** Per pixel: index in PART_GROUPS of the layer it shows, −1 for background. */
  own: Int8Array;
  /** Per pixel: index of the layer it hides a part of (drawn under the one it shows), −1 for none. */
  hidden: Int8Array;
  /**
   * Per pixel: the hidden part's opacity, 0..255. Full, except in the bands along borders, which
   * fade out over their outer half: a small gap is sealed, and when the parts move far apart the
   * band's outer edge (which follows the mesh's zig-zag border) does not stand out as shards.
   */
  opacity: Uint8Array;
}

/**
 * Per-pixel layer: the layer of the triangle covering each pixel centre (what actually moves
 * with each layer), −1 where no triangle does.
 */
export function ownLayers(w: number, h: number, points: ArrayLike<number>, tris: ArrayLike<number>, triGroup: ArrayLike<number>): Int8Array {
  const own = new Int8Array(w * h).fill(-1);
  for (let t = 0; t < triGroup.length; t++) {
    const X = [0, 1, 2].map((k) => points[2 * tris[3 * t + k]]); const Y = [0, 1, 2].map((k) => points[2 * tris[3 * t + k] + 1]);
    const area = (X[1] - X[0]) * (Y[2] - Y[0]) - (Y[1] - Y[0]) * (X[2] - X[0]);
    if (area === 0) continue;
    const s = Math.sign(area);
    const x0 = Math.max(0, Math.ceil(Math.min(...X))); const x1 = Math.min(w - 1, Math.floor(Math.max(...X)));
    const y0 = Math.max(0, Math.ceil(Math.min(...Y))); const y1 = Math.min(h - 1, Math.floor(Math.max(...Y)));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        let inside = true;
        for (let k = 0; k < 3 && inside; k++) {
          const a = k; const b = (k + 1) % 3;
          inside = s * ((X[b] - X[a]) * (y - Y[a]) - (Y[b] - Y[a]) * (x - X[a])) >= 0;
        }
        if (inside) own[y * w + x] = triGroup[t];
      }
    }
  }
  return own;
}

const ARM = new Set(PART_GROUPS.map((g, i) => (ARM_GROUPS.has(g) ? i : -1)).filter((i) => i >= 0));
/** Limb layers: arms and legs. */
const LIMB = new Set(PART_GROUPS.map((g, i) => (g !== 'trunk' && g !== 'head' ? i : -1)).filter((i) => i >= 0));

/**
 * Limb pixels over the trunk (an arm held against it or across it, a hand on the hip, a thigh's
 * top inside the hips): those inside the convex hull of the trunk's own pixels, which bridges an
 * edge an arm covers with a straight line, as the torso's outline would run.
 */
function trunkUnderLimbs(own: Int8Array, w: number, h: number, hidden: Int8Array): void {
  const trunk = groupIndex('trunk');
  const ends: [number, number][] = [];
  for (let y = 0; y < h; y++) {
    let lo = -1; let hi = -1;
    for (let x = 0; x < w; x++) if (own[y * w + x] === trunk) { if (lo < 0) lo = x; hi = x; }
    if (lo >= 0) ends.push([lo, y], [hi, y]);
  }
  const hull = convexHull(ends);
  if (hull.length < 3) return;
  const ys = hull.map((q) => q[1]);
  for (let y = Math.min(...ys); y <= Math.max(...ys); y++) {
    let xa = Infinity; let xb = -Infinity;
    for (let k = 0; k < hull.length; k++) {
      const [x0, y0] = hull[k]; const [x1, y1] = hull[(k + 1) % hull.length];
      if ((y < Math.min(y0, y1)) || (y > Math.max(y0, y1))) continue;
      const xs = y0 === y1 ? [x0, x1] : [x0 + ((y - y0) * (x1 - x0)) / (y1 - y0)];
      for (const x of xs) { xa = Math.min(xa, x); xb = Math.max(xb, x); }
    }
    for (let x = Math.max(0, Math.ceil(xa)); x <= Math.min(w - 1, Math.floor(xb)); x++) {
      const i = y * w + x;
      if (LIMB.has(own[i]) && hidden[i] < 0) hidden[i] = trunk;
    }
  }
}

/** Arm pixels over the face: between the head's own pixels on the same row. */
function headUnderHands(own: Int8Array, w: number, h: number, hidden: Int8Array): void {
  const head = groupIndex('head');
  for (let y = 0; y < h; y++) {
    let lo = -1; let hi = -1;
    for (let x = 0; x < w; x++) if (own[y * w + x] === head) { if (lo < 0) lo = x; hi = x; }
    for (let x = lo + 1; x < hi; x++) {
      const i = y * w + x;
      if (ARM.has(own[i]) && hidden[i] < 0) hidden[i] = head;
    }
  }
}

/**
 * A limb's top inside its parent: the parent's pixels within the limb's width about its first
 * bone, from a half-width behind the joint (a round end) to halfway down the bone.
 */
function limbTops(own: Int8Array, w: number, h: number, rest: JointPositions, present: readonly boolean[],
  halfWidth: (joint: number, child: number) => number, hidden: Int8Array): void {
  for (const limb of PART_GROUPS) {
    const parent = GROUP_PARENT[limb];
    if (parent === null || limb === 'head') continue;
    const j = GROUP_ATTACH_JOINT[limb];
    const k = firstBoneOf(limb);
    if (k < 0 || !present[j] || !present[k]) continue;
    const li = groupIndex(limb); const pi = groupIndex(parent);
    const ax = rest[2 * j]; const ay = rest[2 * j + 1];
    const len = Math.hypot(rest[2 * k] - ax, rest[2 * k + 1] - ay);
    if (len < 1) continue;
    const ux = (rest[2 * k] - ax) / len; const uy = (rest[2 * k + 1] - ay) / len;
    const hw = halfWidth(j, k);
    if (hw < 1) continue;
    const x0 = Math.max(0, Math.floor(Math.min(ax - hw, ax + ux * len / 2) - hw)); const x1 = Math.min(w - 1, Math.ceil(Math.max(ax + hw, ax + ux * len / 2) + hw));
    const y0 = Math.max(0, Math.floor(Math.min(ay - hw, ay + uy * len / 2) - hw)); const y1 = Math.min(h - 1, Math.ceil(Math.max(ay + hw, ay + uy * len / 2) + hw));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * w + x;
        // Only the parent's pixels: an arm hanging beside the hip hides no thigh.
        if (own[i] !== pi || hidden[i] >= 0) continue;
        const t = (x - ax) * ux + (y - ay) * uy;
        if (t > len / 2) continue;
        const perp = Math.abs((x - ax) * uy - (y - ay) * ux);
        // Along the bone: the limb's width; behind the joint: a disc, the limb's round end.
        const inside = t >= 0 ? perp <= hw : Math.hypot(x - ax, y - ay) <= hw;
        if (inside) hidden[i] = li;
      }
    }
  }
}

/**
 * A limb's half-width near its top: along the first half of its bone, the distance from the axis to
 * the end of the limb's own pixels on the farther side (median over samples): the outer edge is the
 * limb's own, where the inner one may be a border with the other leg or the torso.
 */
export function limbHalfWidth(own: Int8Array, w: number, h: number, rest: JointPositions, j: number, k: number): number {
  const layer = groupIndex(boneGroup(k));
  const ax = rest[2 * j]; const ay = rest[2 * j + 1];
  const len = Math.hypot(rest[2 * k] - ax, rest[2 * k + 1] - ay);
  if (len < 1) return 0;
  const ux = (rest[2 * k] - ax) / len; const uy = (rest[2 * k + 1] - ay) / len;
  const widths: number[] = [];
  for (let s = 1; s <= 8; s++) {
    const t = (0.15 + (0.4 * s) / 8) * len;
    const cx = ax + t * ux; const cy = ay + t * uy;
    const side = (dir: number) => {
      let d = 0;
      for (; d < len; d++) {
        const x = Math.round(cx - dir * uy * d); const y = Math.round(cy + dir * ux * d);
        if (x < 0 || y < 0 || x >= w || y >= h || own[y * w + x] !== layer) break;
      }
      return d;
    };
    const xi = Math.round(cx); const yi = Math.round(cy);
    if (xi < 0 || yi < 0 || xi >= w || yi >= h || own[yi * w + xi] !== layer) continue;
    widths.push(Math.max(side(1), side(-1)));
  }
  if (widths.length === 0) return 0;
  widths.sort((a, b) => a - b);
  return widths[Math.floor(widths.length / 2)];
}

/**
 * Along the borders between layers, a band of a limb's pixels is hidden for the body beside it (the
 * nearest of the trunk, the head and the limb's parent within `band` px): hair lying on a shoulder,
 * a sleeve beside the torso, the elbow's inside. When they move apart a little, the body shows its
 * own continuation there instead of a slit of background. (Never the other way: a limb's material
 * lying on the body would turn with the limb and stick out as shards.)
 */
function bordersUnderNeighbours(own: Int8Array, w: number, box: Box, band: number, hidden: Int8Array, opacity: Uint8Array): void {
  // Distances are taken inside the character's box only: every layer's pixels lie in it, so they
  // are the same as over the whole picture.
  const { x0, y0, x1, y1 } = box;
  const bw = x1 - x0 + 1; const bh = y1 - y0 + 1;
  const at = (k: number) => (y0 + Math.floor(k / bw)) * w + x0 + (k % bw);
  const best = new Float64Array(bw * bh).fill(Infinity);
  const bestLayer = new Int8Array(bw * bh).fill(-1);
  const trunk = groupIndex('trunk'); const head = groupIndex('head');
  const parentOf = PART_GROUPS.map((g) => { const p = GROUP_PARENT[g]; return p === null ? -1 : groupIndex(p); });
  // Only the body beside a limb takes a band: the trunk, the head, a limb's parent.
  const takers = PART_GROUPS.map((_, g) => g).filter((g) => g === trunk || g === head || parentOf.includes(g));
  for (const g of takers) {
    const data = new Uint8Array(bw * bh);
    let any = false;
    for (let k = 0; k < data.length; k++) if (own[at(k)] === g) { data[k] = 1; any = true; }
    if (!any) continue;
    const d2 = squaredDistanceTo({ width: bw, height: bh, data }, 1);
    for (let k = 0; k < d2.length; k++) {
      const i = at(k);
      const a = own[i];
      if (a < 0 || a === g || hidden[i] >= 0 || d2[k] > band * band || d2[k] >= best[k]) continue;
      if (g !== trunk && g !== head && g !== parentOf[a]) continue;
      if (a === trunk && g === head) continue;
      best[k] = d2[k]; bestLayer[k] = g;
    }
  }
  for (let k = 0; k < bestLayer.length; k++) {
    if (bestLayer[k] < 0) continue;
    hidden[at(k)] = bestLayer[k];
    opacity[at(k)] = bandOpacity(Math.sqrt(best[k]), band);
  }
}

/** Full over a band's inner half, then down linearly to nothing at its outer edge. */
export function bandOpacity(distance: number, band: number): number {
  const f = Math.min(1, Math.max(0, 2 * (1 - distance / band)));
  return Math.round(255 * f);
}

interface Box { x0: number; y0: number; x1: number; y1: number }

/** The box around every layer's pixels; null when there are none. */
function characterBox(own: Int8Array, w: number, h: number): Box | null {
  let x0 = w; let y0 = h; let x1 = -1; let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (own[y * w + x] < 0) continue;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** Width of the band along layer borders: 1.2% of the character's height, at least 3 px. */
function borderBand(box: Box): number {
  return Math.max(3, 0.012 * (box.y1 - box.y0 + 1));
}

export function layerMaps(
  own: Int8Array, w: number, h: number, rest: JointPositions, present: readonly boolean[],
  halfWidth: (joint: number, child: number) => number = (j, k) => limbHalfWidth(own, w, h, rest, j, k),
): LayerMaps {
  const hidden = new Int8Array(w * h).fill(-1);
  // A pixel hides one layer at most: the limbs' round tops first (small, at the joints), then what
  // covers the face and the torso, then the bands along the other borders.
  limbTops(own, w, h, rest, present, halfWidth, hidden);
  headUnderHands(own, w, h, hidden);
  if (present[J.neck] && present[J.root]) trunkUnderLimbs(own, w, h, hidden);
  const opacity = new Uint8Array(hidden.length);
  for (let p = 0; p < hidden.length; p++) if (hidden[p] >= 0) opacity[p] = 255;
  const box = characterBox(own, w, h);
  if (box) bordersUnderNeighbours(own, w, box, borderBand(box), hidden, opacity);
  return { width: w, height: h, own, hidden, opacity };
}

export type { PartGroup };
