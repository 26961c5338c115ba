/**
 * A skeleton from the silhouette alone, for drawings in which the pose model finds no body. Assumes
 * a front-facing figure: five extremities found by geodesic farthest-point search from the chest —
 * the two lowest are the feet, the one above the chest nearest its vertical line is the head, the
 * other two the hands (image left = the figure's right). Joints are placed along the geodesic paths
 * from the chest: a limb hangs from where a person's shoulder or hip would be when the body holds
 * that point, else from where it leaves the body's core (what an opening by half the chest's
 * thickness keeps: arms on the sides of a cone), or, for a one-stroke body, where it branches off.
 */
import { geodesic } from '../rig/geodesic.js';
import { JOINTS, JOINT_INDEX as J, type JointPositions } from '../rig/skeleton.js';
import { dilate, erode, insideDistance, largestComponent, type BinaryMask } from './mask.js';

const WORK_SIDE = 300;

/** Majority-downscaled copy so the searches stay fast. */
function downscale(m: BinaryMask, f: number): BinaryMask {
  const w = Math.ceil(m.width / f); const h = Math.ceil(m.height / f);
  const count = new Uint16Array(w * h); const total = new Uint16Array(w * h);
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      const q = Math.floor(y / f) * w + Math.floor(x / f);
      total[q]++; count[q] += m.data[y * m.width + x];
    }
  }
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = 2 * count[i] >= total[i] && count[i] > 0 ? 1 : 0;
  return { width: w, height: h, data };
}

function argmax(a: Float32Array | Float64Array, ok: (i: number) => boolean): number {
  let best = -1; let bestV = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > bestV && Number.isFinite(a[i]) && ok(i)) { bestV = a[i]; best = i; }
  return best;
}

/** Whether a[i] is the largest finite value within the (2r+1)² window around pixel i. */
function localMax(a: Float64Array, w: number, h: number, i: number, r: number): boolean {
  const x = i % w; const y = (i - x) / w;
  for (let yy = Math.max(0, y - r); yy <= Math.min(h - 1, y + r); yy++) {
    for (let xx = Math.max(0, x - r); xx <= Math.min(w - 1, x + r); xx++) {
      const v = a[yy * w + xx];
      if (Number.isFinite(v) && v > a[i]) return false;
    }
  }
  return true;
}

/** Path (pixel indices) from `to` back to the Dijkstra source. */
function pathTo(prev: Int32Array, to: number): number[] {
  const out: number[] = [];
  for (let p = to; p >= 0 && out.length < 1e6; p = prev[p]) out.push(p);
  return out;
}

/** The point at arclength `len` along a path (from its first element), as [x, y]. */
function along(path: number[], w: number, len: number): [number, number] {
  let acc = 0;
  for (let i = 1; i < path.length; i++) {
    const ax = path[i - 1] % w; const ay = Math.floor(path[i - 1] / w);
    const bx = path[i] % w; const by = Math.floor(path[i] / w);
    const step = Math.hypot(bx - ax, by - ay);
    if (acc + step >= len) { const t = (len - acc) / step; return [ax + t * (bx - ax), ay + t * (by - ay)]; }
    acc += step;
  }
  const last = path[path.length - 1];
  return [last % w, Math.floor(last / w)];
}

function pathLength(path: number[], w: number): number {
  let acc = 0;
  for (let i = 1; i < path.length; i++) acc += Math.hypot(path[i] % w - path[i - 1] % w, Math.floor(path[i] / w) - Math.floor(path[i - 1] / w));
  return acc;
}

/** A skeleton, or what the silhouette lacks for one (a phrase for the error message). */
export type MaskSkeleton = { joints: JointPositions; missing?: undefined } | { joints?: undefined; missing: string };

/** Joints from the silhouette, or null (see describeSkeletonFromMask for why). */
export function skeletonFromMask(mask: BinaryMask): JointPositions | null {
  return describeSkeletonFromMask(mask).joints ?? null;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function describeSkeletonFromMask(mask: BinaryMask): MaskSkeleton {
  const f = Math.max(1, Math.ceil(Math.max(mask.width, mask.height) / WORK_SIDE));
  const m = largestComponent(downscale(mask, f));
  const { width: w, height: h, data } = m;
  let top = h; let bottom = -1;
  for (let i = 0; i < data.length; i++) if (data[i]) { const y = Math.floor(i / w); top = Math.min(top, y); bottom = Math.max(bottom, y); }
  if (bottom < 0) return { missing: 'found no drawn shape' };
  if (bottom - top < 10) return { missing: `found only a shape ${Math.round((bottom - top + 1) * f)} px tall` };
  const dt = insideDistance(m);
  const band = (i: number) => { const y = Math.floor(i / w); return y >= top + 0.3 * (bottom - top) && y <= top + 0.7 * (bottom - top); };
  const peak = argmax(dt, band);
  if (peak < 0) return { missing: 'found a shape with nothing in its middle' };
  const thick = dt[peak];
  // The chest: the centre of the thickest part of the body's middle band.
  let sx = 0; let sy = 0; let sn = 0;
  for (let i = 0; i < dt.length; i++) if (dt[i] >= 0.9 * thick && band(i)) { sx += i % w; sy += Math.floor(i / w); sn++; }
  let chest = Math.round(sy / sn) * w + Math.round(sx / sn);
  if (!data[chest]) chest = peak;
  const fromChest = geodesic(data, w, h, [chest], [0]);
  const d0 = fromChest.dist;

  // Farthest-point search for extremities; a limb must reach well beyond the chest's thickness.
  const ext: number[] = [];
  while (ext.length < 5) {
    const dE = ext.length ? geodesic(data, w, h, ext, ext.map(() => 0)).dist : null;
    const score = new Float32Array(d0.length);
    for (let i = 0; i < score.length; i++) score[i] = dE ? Math.min(d0[i], dE[i]) : d0[i];
    const p = argmax(score, (i) => data[i] === 1 && localMax(d0, w, h, i, 2));
    if (p < 0 || score[p] < Math.max(1.6 * thick, 4)) break;
    ext.push(p);
  }
  if (ext.length <= 1) return { missing: 'found one shape but no limbs' };
  if (ext.length < 5) {
    return { missing: `found one shape with only ${plural(ext.length, 'part', 'parts')} sticking out of it (a figure needs a head, two arms and two legs)` };
  }
  const cy = Math.floor(chest / w);
  const chestX = chest % w;
  const xy = (p: number): [number, number] => [p % w, Math.floor(p / w)];
  const byY = [...ext].sort((a, b) => xy(b)[1] - xy(a)[1]);
  const feet = byY.slice(0, 2);
  if (feet.some((p) => xy(p)[1] <= cy)) return { missing: 'found no legs below the body' };
  const rest = byY.slice(2);
  const head = rest.filter((p) => xy(p)[1] < cy).sort((a, b) => Math.abs(xy(a)[0] - chestX) - Math.abs(xy(b)[0] - chestX))[0];
  if (head === undefined) return { missing: 'found no head above the body' };
  const hands = rest.filter((p) => p !== head).sort((a, b) => xy(a)[0] - xy(b)[0]);
  const feetLR = [...feet].sort((a, b) => xy(a)[0] - xy(b)[0]);

  // Paths from the chest share one shortest-path tree: two limbs' paths part where they branch.
  const path = (tip: number) => pathTo(fromChest.prev, tip).reverse();
  const armPaths = hands.map(path); const legPaths = feetLR.map(path); const headPath = path(head);
  /**
   * A limb's half-width along its outer part (hands and feet may be wider): the path cuts across
   * bends near the limb's edge, so each point takes the largest inside distance within 3 px.
   */
  const limbWidth = (p: number[]) => {
    const part = p.slice(Math.floor(0.3 * p.length), Math.max(Math.floor(0.3 * p.length) + 1, Math.floor(0.9 * p.length)));
    const ridge = part.map((i) => {
      const x0 = i % w; const y0 = (i - x0) / w; let m = 0;
      for (let y = Math.max(0, y0 - 3); y <= Math.min(h - 1, y0 + 3); y++) for (let x = Math.max(0, x0 - 3); x <= Math.min(w - 1, x0 + 3); x++) m = Math.max(m, dt[y * w + x]);
      return m;
    }).sort((a, b) => a - b);
    const raw = part.map((i) => dt[i]).sort((a, b) => a - b);
    return Math.max(ridge[Math.floor(0.4 * ridge.length)] ?? 0, raw[Math.floor(0.7 * raw.length)] ?? 0) || 1;
  };
  const branchAt = (p: number[], q: number[]) => { let i = 0; while (i < p.length && i < q.length && p[i] === q[i]) i++; return Math.max(0, i - 1); };
  // The body's core: the silhouette opened by a disc half the chest's thickness, which limbs
  // (thinner than that) do not survive. A limb leaves the body where its path leaves the core.
  const core = dilate(erode(m, 0.5 * thick), 0.5 * thick);
  /** Where a limb leaves the body: past its branch, the first point after which the path stays outside the core for a while. */
  const limbStart = (p: number[], branch: number): number => {
    const run = Math.max(2, Math.round(Math.min(3 * limbWidth(p), 0.15 * p.length)));
    let outside = 0;
    for (let i = branch; i < p.length; i++) {
      outside = core.data[p[i]] ? 0 : outside + 1;
      if (outside >= run) return i - run + 1;
    }
    return branch;
  };
  // A stick body is no wider than its limbs: the limbs hang from its branch points, not its sides.
  const armWidth = (limbWidth(armPaths[0]) + limbWidth(armPaths[1])) / 2;
  const stick = thick <= 2.2 * armWidth + 1.5;

  const fromHead = geodesic(data, w, h, [head], [0]);
  const down = pathTo(fromHead.prev, chest).reverse();
  let neck: [number, number];
  if (stick) {
    // Where the first arm branches off the line from the head.
    const b = Math.min(branchAt(headPath, armPaths[0]), branchAt(headPath, armPaths[1]));
    neck = xy(armPaths[0][Math.min(b, armPaths[0].length - 1)] ?? chest);
  } else {
    // Neck: the narrowest point on the way down from the head (skipping the crown), then down to
    // where the body widens again (the shoulder line).
    let narrow = -1;
    for (let i = Math.floor(down.length * 0.2); i < down.length - 1; i++) if (narrow < 0 || dt[down[i]] < dt[down[narrow]]) narrow = i;
    if (narrow < 0) return { missing: 'found no neck between the head and the body' };
    let neckAt = narrow;
    while (neckAt < down.length - 1 && dt[down[neckAt]] < 1.5 * dt[down[narrow]]) neckAt++;
    neck = xy(down[neckAt]);
  }
  // Head joint (nose): the centre of the thickest part between the top and the neck.
  const neckIdx = neck[1] * w + neck[0];
  const headLimit = Number.isFinite(fromHead.dist[neckIdx]) ? 0.8 * fromHead.dist[neckIdx] : Infinity;
  let headPt = xy(head); let best = -1;
  for (let i = 0; i < dt.length; i++) if (fromHead.dist[i] < headLimit && dt[i] > best) { best = dt[i]; headPt = xy(i); }
  // A stick figure's head is a loop (filled, so wider than a stroke), not one more stroke.
  if (stick && best < 2.5 * armWidth) return { missing: 'found no head above the body (a loop or a blob on top)' };

  const legBranch = branchAt(legPaths[0], legPaths[1]);
  const cx = chest % w;
  let rootPt: [number, number];
  if (stick) rootPt = xy(legPaths[0][legBranch]);
  else {
    // Crotch: first background pixel straight below the chest; the pelvis sits a little above it.
    let crotch = -1;
    for (let y = cy; y <= bottom; y++) if (!data[y * w + cx]) { crotch = y; break; }
    const footY = (xy(feet[0])[1] + xy(feet[1])[1]) / 2;
    if (crotch < 0) crotch = Math.round(neck[1] + 0.5 * (footY - neck[1]));
    rootPt = [cx, crotch - 0.35 * thick];
  }
  const footY = (xy(feet[0])[1] + xy(feet[1])[1]) / 2;
  if (!(headPt[1] < neck[1] && neck[1] < rootPt[1] && rootPt[1] < footY)) {
    return { missing: 'found a head, arms and legs that are not one above the other (head, then body, then legs)' };
  }

  const j = new Float64Array(2 * JOINTS.length);
  const put = (k: number, p: [number, number]) => { j[2 * k] = (p[0] + 0.5) * f - 0.5; j[2 * k + 1] = (p[1] + 0.5) * f - 0.5; };
  put(J.root, rootPt);
  put(J.neck, stick ? neck : [cx, neck[1]]);
  put(J.head, headPt);
  /** The thickest pixel near p (pulls a point on a path that hugs a bend back to the limb's middle). */
  const centre = (p: number): [number, number] => {
    const [px, py] = xy(p);
    const r = Math.ceil(dt[p] * 2) + 1;
    let bestP = p; let bv = -Infinity;
    for (let y = Math.max(0, py - r); y <= Math.min(h - 1, py + r); y++) {
      for (let x = Math.max(0, px - r); x <= Math.min(w - 1, px + r); x++) {
        const v = dt[y * w + x] - 0.5 * Math.hypot(x - px, y - py);
        if (v > bv) { bv = v; bestP = y * w + x; }
      }
    }
    return xy(bestP);
  };
  /**
   * One limb along its path from the chest: the girdle joint where it leaves the body (a stick
   * body: a limb's width past the branch point), the end joint one limb radius short of the tip,
   * the middle joint halfway between.
   */
  const inside = (pt: [number, number]) => data[Math.round(pt[1]) * w + Math.round(pt[0])] === 1;
  const limb = (p: number[], branch: number, girdle: number, mid: number, end: number, anatomical: [number, number]) => {
    const wl = limbWidth(p);
    if (!stick && inside(anatomical)) {
      // A body wide enough to hold the shoulder (or hip) where a person's would be: the limb hangs
      // from there, its joints along the path from that point to its tip.
      const src = Math.round(anatomical[1]) * w + Math.round(anatomical[0]);
      const q = pathTo(geodesic(data, w, h, [src], [0]).prev, p[p.length - 1]).reverse();
      if (q.length >= 2 && q[0] === src) {
        const len = pathLength(q, w);
        const radius = Math.min(wl, 0.25 * len);
        put(girdle, anatomical);
        put(end, along(q, w, len - radius));
        const mp = along(q, w, (len - radius) / 2);
        put(mid, centre(Math.round(mp[1]) * w + Math.round(mp[0])));
        return;
      }
    }
    let s = limbStart(p, branch);
    if (stick) { let acc = 0; while (s < p.length - 2 && acc < 2 * wl + 1) { acc += Math.hypot(p[s + 1] % w - p[s] % w, Math.floor(p[s + 1] / w) - Math.floor(p[s] / w)); s++; } }
    const q = p.slice(s);
    const len = pathLength(q, w);
    const radius = Math.min(wl, 0.25 * len);
    // The pivot: where the limb leaves the body, moved onto the limb's own axis (the path from
    // the chest arrives at an angle), so the limb turns about its root's middle.
    const [sx0, sy0] = xy(q[0]);
    const a0 = along(q, w, 0.2 * len); const a1 = along(q, w, 0.5 * len);
    const ul = Math.hypot(a1[0] - a0[0], a1[1] - a0[1]) || 1;
    const ux = (a1[0] - a0[0]) / ul; const uy = (a1[1] - a0[1]) / ul;
    const tl = (sx0 - a0[0]) * ux + (sy0 - a0[1]) * uy;
    const pivot: [number, number] = stick ? [sx0, sy0] : [a0[0] + tl * ux, a0[1] + tl * uy];
    put(girdle, data[Math.round(pivot[1]) * w + Math.round(pivot[0])] ? pivot : [sx0, sy0]);
    put(end, along(q, w, len - radius));
    const mp = along(q, w, (len - radius) / 2);
    put(mid, centre(Math.round(mp[1]) * w + Math.round(mp[0])));
  };
  const armBranch = branchAt(armPaths[0], armPaths[1]);
  // Image-left limbs are the figure's right ones.
  // Where a person's shoulders and hips would be: either side of the neck line and of the pelvis.
  const shoulderY = neck[1] + 0.15 * thick;
  limb(armPaths[0], Math.max(armBranch, branchAt(armPaths[0], headPath)), J.r_shoulder, J.r_elbow, J.r_wrist, [cx - 0.85 * thick, shoulderY]);
  limb(armPaths[1], Math.max(armBranch, branchAt(armPaths[1], headPath)), J.l_shoulder, J.l_elbow, J.l_wrist, [cx + 0.85 * thick, shoulderY]);
  limb(legPaths[0], legBranch, J.r_hip, J.r_knee, J.r_ankle, [rootPt[0] - 0.5 * thick, rootPt[1]]);
  limb(legPaths[1], legBranch, J.l_hip, J.l_knee, J.l_ankle, [rootPt[0] + 0.5 * thick, rootPt[1]]);
  return { joints: j };
}
