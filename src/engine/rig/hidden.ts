/**
 * What each layer hides in the picture. A 2D picture shows only the front of overlapping parts:
 * an arm held against the body hides the torso's side, a hand on the face hides the cheek, a
 * thigh's top lies inside the torso's outline. When the front part moves, the part behind must
 * show its own continuation there, never the background. This module finds, per pixel of the
 * reference image, the layer it belongs to and the layer (if any) for which it is hidden.
 * Pure: masks and joints in, per-pixel maps out.
 */
import {
  ARM_GROUPS, GROUP_ATTACH_JOINT, GROUP_PARENT, JOINT_INDEX as J, PARENT, PART_GROUPS, boneGroup, groupIndex,
  type JointPositions, type PartGroup,
} from './skeleton.js';

export interface LayerMaps {
  width: number; height: number;
  /** Per pixel: index in PART_GROUPS of the layer it shows, −1 for background. */
  own: Int8Array;
  /** Per pixel: index of the layer it hides a part of (drawn under the one it shows), −1 for none. */
  hidden: Int8Array;
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
 * Limb pixels over the trunk (an arm held against it, a thigh's top inside the hips). Per row
 * from the shoulders to the trunk's lowest row, the torso spans from the spine by its half-width
 * on each side; where a limb lies along a side, that side's edge is hidden and is taken from the
 * other side (a torso is about symmetric) or from the nearest row where that side is seen.
 */
function trunkUnderLimbs(own: Int8Array, w: number, h: number, rest: JointPositions, hidden: Int8Array): void {
  const trunk = groupIndex('trunk');
  const y0 = Math.max(0, Math.floor(Math.min(rest[2 * J.l_shoulder + 1], rest[2 * J.r_shoulder + 1], rest[2 * J.neck + 1])));
  // Down to the trunk's lowest pixel: below the hip joints the pelvis is still trunk.
  let y1 = Math.min(h - 1, Math.ceil(Math.max(rest[2 * J.l_hip + 1], rest[2 * J.r_hip + 1], rest[2 * J.root + 1])));
  for (let i = own.length - 1; i >= 0; i--) if (own[i] === trunk) { y1 = Math.max(y1, Math.floor(i / w)); break; }
  if (y1 <= y0) return;
  const spineX = (y: number) => {
    const ny = rest[2 * J.neck + 1]; const ry = rest[2 * J.root + 1];
    const t = ry !== ny ? Math.max(0, Math.min(1, (y - ny) / (ry - ny))) : 0;
    return rest[2 * J.neck] + t * (rest[2 * J.root] - rest[2 * J.neck]);
  };
  const rows = y1 - y0 + 1;
  // Per row: measured half-width left/right of the spine, and whether an arm covers that side's edge.
  const half = [new Float64Array(rows), new Float64Array(rows)];
  const covered = [new Uint8Array(rows), new Uint8Array(rows)];
  for (let r = 0; r < rows; r++) {
    const y = y0 + r;
    const sx = spineX(y);
    let lo = -1; let hi = -1;
    for (let x = 0; x < w; x++) if (own[y * w + x] === trunk) { if (lo < 0) lo = x; hi = x; }
    if (lo < 0) continue;
    half[0][r] = sx - lo; half[1][r] = hi - sx;
    const armNear = (x: number) => {
      for (let d = 1; d <= 2; d++) { const xx = x + d * (x === lo ? -1 : 1); if (xx >= 0 && xx < w && LIMB.has(own[y * w + xx])) return true; }
      return false;
    };
    covered[0][r] = armNear(lo) ? 1 : 0; covered[1][r] = armNear(hi) ? 1 : 0;
  }
  for (let r = 0; r < rows; r++) {
    const y = y0 + r;
    const sx = spineX(y);
    const reach = [0, 1].map((s) => {
      const hw = half[s][r];
      if (!covered[s][r]) return hw;
      if (!covered[1 - s][r]) return Math.max(hw, half[1 - s][r]);
      // Both sides covered: the nearest row where this side is seen.
      for (let d = 1; d < rows; d++) {
        for (const rr of [r - d, r + d]) if (rr >= 0 && rr < rows && !covered[s][rr] && half[s][rr] > 0) return Math.max(hw, half[s][rr]);
      }
      return hw;
    });
    const xa = Math.max(0, Math.floor(sx - reach[0])); const xb = Math.min(w - 1, Math.ceil(sx + reach[1]));
    for (let x = xa; x <= xb; x++) {
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
    const k = PARENT.findIndex((p, i) => i > 0 && p === j && boneGroup(i) === limb);
    if (k < 0 || !present[j] || !present[k]) continue;
    const li = groupIndex(limb);
    const ax = rest[2 * j]; const ay = rest[2 * j + 1];
    const len = Math.hypot(rest[2 * k] - ax, rest[2 * k + 1] - ay);
    if (len < 1) continue;
    const ux = (rest[2 * k] - ax) / len; const uy = (rest[2 * k + 1] - ay) / len;
    const hw = halfWidth(j, k);
    const x0 = Math.max(0, Math.floor(Math.min(ax - hw, ax + ux * len / 2) - hw)); const x1 = Math.min(w - 1, Math.ceil(Math.max(ax + hw, ax + ux * len / 2) + hw));
    const y0 = Math.max(0, Math.floor(Math.min(ay - hw, ay + uy * len / 2) - hw)); const y1 = Math.min(h - 1, Math.ceil(Math.max(ay + hw, ay + uy * len / 2) + hw));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * w + x;
        if (own[i] < 0 || own[i] === li || hidden[i] >= 0) continue;
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

export function layerMaps(
  own: Int8Array, w: number, h: number, rest: JointPositions, present: readonly boolean[],
  halfWidth: (joint: number, child: number) => number,
): LayerMaps {
  const hidden = new Int8Array(w * h).fill(-1);
  if (present[J.neck] && present[J.root]) trunkUnderLimbs(own, w, h, rest, hidden);
  headUnderHands(own, w, h, hidden);
  limbTops(own, w, h, rest, present, halfWidth, hidden);
  return { width: w, height: h, own, hidden };
}

export type { PartGroup };
