/**
 * A skeleton from the silhouette alone, for drawings in which the pose model finds no body. Assumes
 * a front-facing figure: five extremities found by geodesic farthest-point search from the chest —
 * the two lowest are the feet, the one above the chest nearest its vertical line is the head, the
 * other two the hands (image left = the figure's right). Joints are placed along the geodesic paths.
 */
import { geodesic } from '../rig/geodesic.js';
import { JOINTS, JOINT_INDEX as J, type JointPositions } from '../rig/skeleton.js';
import { insideDistance, largestComponent, type BinaryMask } from './mask.js';

const WORK_SIDE = 200;

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

export function skeletonFromMask(mask: BinaryMask): JointPositions | null {
  const f = Math.max(1, Math.ceil(Math.max(mask.width, mask.height) / WORK_SIDE));
  const m = largestComponent(downscale(mask, f));
  const { width: w, height: h, data } = m;
  let top = h; let bottom = -1;
  for (let i = 0; i < data.length; i++) if (data[i]) { const y = Math.floor(i / w); top = Math.min(top, y); bottom = Math.max(bottom, y); }
  if (bottom - top < 10) return null;
  const dt = insideDistance(m);
  const band = (i: number) => { const y = Math.floor(i / w); return y >= top + 0.3 * (bottom - top) && y <= top + 0.7 * (bottom - top); };
  const peak = argmax(dt, band);
  if (peak < 0) return null;
  const thick = dt[peak];
  // The chest: the centre of the thickest part of the body's middle band.
  let sx = 0; let sy = 0; let sn = 0;
  for (let i = 0; i < dt.length; i++) if (dt[i] >= 0.9 * thick && band(i)) { sx += i % w; sy += Math.floor(i / w); sn++; }
  let chest = Math.round(sy / sn) * w + Math.round(sx / sn);
  if (!data[chest]) chest = peak;
  const d0 = geodesic(data, w, h, [chest], [0]).dist;

  // Farthest-point search for extremities; a limb must reach well beyond the chest's thickness.
  const ext: number[] = [];
  while (ext.length < 5) {
    const dE = ext.length ? geodesic(data, w, h, ext, ext.map(() => 0)).dist : null;
    const score = new Float32Array(d0.length);
    for (let i = 0; i < score.length; i++) score[i] = dE ? Math.min(d0[i], dE[i]) : d0[i];
    const p = argmax(score, (i) => data[i] === 1 && localMax(d0, w, h, i, 2));
    if (p < 0 || score[p] < 1.6 * thick) break;
    ext.push(p);
  }
  if (ext.length < 5) return null;
  const cy = Math.floor(chest / w);
  const chestX = chest % w;
  const xy = (p: number): [number, number] => [p % w, Math.floor(p / w)];
  const byY = [...ext].sort((a, b) => xy(b)[1] - xy(a)[1]);
  const feet = byY.slice(0, 2);
  if (feet.some((p) => xy(p)[1] <= cy)) return null;
  const rest = byY.slice(2);
  const head = rest.filter((p) => xy(p)[1] < cy).sort((a, b) => Math.abs(xy(a)[0] - chestX) - Math.abs(xy(b)[0] - chestX))[0];
  if (head === undefined) return null;
  const hands = rest.filter((p) => p !== head).sort((a, b) => xy(a)[0] - xy(b)[0]);
  const feetLR = [...feet].sort((a, b) => xy(a)[0] - xy(b)[0]);

  const fromHead = geodesic(data, w, h, [head], [0]);
  // Neck: the narrowest point on the way down from the head (skipping the crown), then down to
  // where the body widens again (the shoulder line).
  const down = pathTo(fromHead.prev, chest).reverse();
  let narrow = -1;
  for (let i = Math.floor(down.length * 0.2); i < down.length - 1; i++) if (narrow < 0 || dt[down[i]] < dt[down[narrow]]) narrow = i;
  if (narrow < 0) return null;
  let neckAt = narrow;
  while (neckAt < down.length - 1 && dt[down[neckAt]] < 1.5 * dt[down[narrow]]) neckAt++;
  const neck = xy(down[neckAt]);
  // Head joint (nose): the centre of the thickest part above the narrowing.
  const headLimit = fromHead.dist[down[narrow]];
  let headPt = xy(head); let best = -1;
  for (let i = 0; i < dt.length; i++) if (fromHead.dist[i] < headLimit && dt[i] > best) { best = dt[i]; headPt = xy(i); }

  // Crotch: first background pixel straight below the chest; the hips sit a little above it.
  const cx = chest % w;
  let crotch = -1;
  for (let y = cy; y <= bottom; y++) if (!data[y * w + cx]) { crotch = y; break; }
  const footY = (xy(feet[0])[1] + xy(feet[1])[1]) / 2;
  if (crotch < 0) crotch = Math.round(neck[1] + 0.5 * (footY - neck[1]));
  const rootY = crotch - 0.35 * thick;
  if (!(headPt[1] < neck[1] && neck[1] < rootY && rootY < footY)) return null;

  const j = new Float64Array(2 * JOINTS.length);
  const put = (k: number, p: [number, number]) => { j[2 * k] = (p[0] + 0.5) * f - 0.5; j[2 * k + 1] = (p[1] + 0.5) * f - 0.5; };
  put(J.root, [cx, rootY]);
  put(J.neck, [cx, neck[1]]);
  put(J.head, headPt);
  const shoulderY = neck[1] + 0.15 * thick;
  const hips: [number, number][] = [[cx - 0.5 * thick, rootY], [cx + 0.5 * thick, rootY]];
  const shoulders: [number, number][] = [[cx - 0.85 * thick, shoulderY], [cx + 0.85 * thick, shoulderY]];
  /** Wrist or ankle one limb radius short of the tip; the middle joint halfway along the path from the girdle. */
  /** Nearest mask pixel to a point. */
  const snap = (pt: [number, number]): number => {
    let best = -1; let bd = Infinity;
    const r = Math.ceil(2 * thick) + 2;
    for (let y = Math.max(0, Math.round(pt[1]) - r); y <= Math.min(h - 1, Math.round(pt[1]) + r); y++) {
      for (let x = Math.max(0, Math.round(pt[0]) - r); x <= Math.min(w - 1, Math.round(pt[0]) + r); x++) {
        const d = (x - pt[0]) ** 2 + (y - pt[1]) ** 2;
        if (data[y * w + x] && d < bd) { bd = d; best = y * w + x; }
      }
    }
    return best;
  };
  /** The thickest pixel near p (pulls a point on a path that hugs a bend back to the limb's middle). */
  const centre = (p: number): [number, number] => {
    const [px, py] = xy(p);
    const r = Math.ceil(dt[p] * 2) + 1;
    let best = p; let bv = -Infinity;
    for (let y = Math.max(0, py - r); y <= Math.min(h - 1, py + r); y++) {
      for (let x = Math.max(0, px - r); x <= Math.min(w - 1, px + r); x++) {
        const v = dt[y * w + x] - 0.5 * Math.hypot(x - px, y - py);
        if (v > bv) { bv = v; best = y * w + x; }
      }
    }
    return xy(best);
  };
  /** Wrist or ankle one limb radius short of the tip; the middle joint halfway along the limb. */
  const limb = (tip: number, from: [number, number], mid: number, end: number) => {
    const src = snap(from);
    const path = src < 0 ? [] : pathTo(geodesic(data, w, h, [src], [0]).prev, tip).reverse();
    if (path.length < 2 || path[0] !== src) { put(end, xy(tip)); put(mid, [(from[0] + xy(tip)[0]) / 2, (from[1] + xy(tip)[1]) / 2]); return; }
    const len = pathLength(path, w);
    const radius = Math.min(dt[path[Math.floor(path.length * 0.7)]] || 1, 0.25 * len);
    const endLen = len - radius;
    put(end, along(path, w, endLen));
    const m = along(path, w, endLen / 2);
    put(mid, centre(Math.round(m[1]) * w + Math.round(m[0])));
  };
  // Image-left limbs are the figure's right ones.
  put(J.r_shoulder, shoulders[0]); put(J.l_shoulder, shoulders[1]);
  put(J.r_hip, hips[0]); put(J.l_hip, hips[1]);
  limb(hands[0], shoulders[0], J.r_elbow, J.r_wrist);
  limb(hands[1], shoulders[1], J.l_elbow, J.l_wrist);
  limb(feetLR[0], hips[0], J.r_knee, J.r_ankle);
  limb(feetLR[1], hips[1], J.l_knee, J.l_ankle);
  return j;
}
