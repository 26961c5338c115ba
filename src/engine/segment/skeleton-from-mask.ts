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

function argmax(a: Float32Array, ok: (i: number) => boolean): number {
  let best = -1; let bestV = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > bestV && Number.isFinite(a[i]) && ok(i)) { bestV = a[i]; best = i; }
  return best;
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
  const chest = argmax(dt, band);
  if (chest < 0) return null;
  const thick = dt[chest];
  const d0 = geodesic(data, w, h, [chest], [0]).dist;

  // Farthest-point search for extremities; a limb must reach well beyond the chest's thickness.
  const ext: number[] = [];
  while (ext.length < 5) {
    const dE = ext.length ? geodesic(data, w, h, ext, ext.map(() => 0)).dist : null;
    const score = new Float32Array(d0.length);
    for (let i = 0; i < score.length; i++) score[i] = dE ? Math.min(d0[i], dE[i]) : d0[i];
    const p = argmax(score, (i) => data[i] === 1);
    if (p < 0 || score[p] < 1.6 * thick) break;
    ext.push(p);
  }
  if (ext.length < 5) return null;
  const cx = chest % w; const cy = Math.floor(chest / w);
  const xy = (p: number): [number, number] => [p % w, Math.floor(p / w)];
  const byY = [...ext].sort((a, b) => xy(b)[1] - xy(a)[1]);
  const feet = byY.slice(0, 2);
  if (feet.some((p) => xy(p)[1] <= cy)) return null;
  const rest = byY.slice(2);
  const head = rest.filter((p) => xy(p)[1] < cy).sort((a, b) => Math.abs(xy(a)[0] - cx) - Math.abs(xy(b)[0] - cx))[0];
  if (head === undefined) return null;
  const hands = rest.filter((p) => p !== head).sort((a, b) => xy(a)[0] - xy(b)[0]);
  const feetLR = [...feet].sort((a, b) => xy(a)[0] - xy(b)[0]);

  const fromHead = geodesic(data, w, h, [head], [0]);
  const footPaths = feetLR.map((p) => pathTo(fromHead.prev, p).reverse());
  const handPaths = hands.map((p) => pathTo(fromHead.prev, p).reverse());
  // Neck: where the hand paths leave the path down the body.
  const splitAt = (a: number[], b: number[]) => { let i = 0; while (i < a.length && i < b.length && a[i] === b[i]) i++; return Math.max(0, i - 1); };
  const neckIdx = Math.round((splitAt(handPaths[0], footPaths[0]) + splitAt(handPaths[1], footPaths[1])) / 2);
  const neckPath = footPaths[0].slice(0, neckIdx + 1);
  if (neckPath.length < 2) return null;
  const neck = xy(neckPath[neckPath.length - 1]);
  // Head joint (nose): the thickest point between the top of the head and the neck.
  let headPt = xy(head); let best = -1;
  for (const p of neckPath) if (dt[p] > best) { best = dt[p]; headPt = xy(p); }

  // Crotch: first background pixel straight below the chest; the hips sit a little above it.
  let crotch = -1;
  for (let y = cy; y <= bottom; y++) if (!data[y * w + cx]) { crotch = y; break; }
  const footY = (xy(feet[0])[1] + xy(feet[1])[1]) / 2;
  if (crotch < 0) crotch = Math.round(neck[1] + 0.5 * (footY - neck[1]));
  const rootY = crotch - 0.35 * thick;
  if (!(headPt[1] < neck[1] && neck[1] < rootY && rootY < footY)) return null;

  const j = new Float64Array(2 * JOINTS.length);
  const put = (k: number, p: [number, number]) => { j[2 * k] = (p[0] + 0.5) * f - 0.5; j[2 * k + 1] = (p[1] + 0.5) * f - 0.5; };
  const axisX = cx;
  put(J.root, [axisX, rootY]);
  put(J.neck, [axisX, neck[1]]);
  put(J.head, headPt);
  const hips: [number, number][] = [[axisX - 0.6 * thick, rootY], [axisX + 0.6 * thick, rootY]];
  put(J.r_hip, hips[0]);
  put(J.l_hip, hips[1]);
  // Image-left limbs are the figure's right ones.
  const limb = (path: number[], startLen: number, sh: number, el: number, wr: number) => {
    const len = pathLength(path, w);
    const radius = dt[path[Math.floor(path.length * 0.75)]] || 1;
    const s = along(path, w, startLen); const e = along(path, w, Math.max(startLen, len - radius));
    if (sh >= 0) put(sh, s);
    put(wr, e);
    put(el, along(path, w, (startLen + Math.max(startLen, len - radius)) / 2));
  };
  handPaths.forEach((path, i) => {
    const leave = pathLength(path.slice(0, splitAt(path, footPaths[i]) + 1), w);
    if (i === 0) limb(path, leave + thick, J.r_shoulder, J.r_elbow, J.r_wrist);
    else limb(path, leave + thick, J.l_shoulder, J.l_elbow, J.l_wrist);
  });
  for (const [path, hip, knee, ankle] of [[footPaths[0], hips[0], J.r_knee, J.r_ankle], [footPaths[1], hips[1], J.l_knee, J.l_ankle]] as const) {
    const len = pathLength(path, w);
    const radius = dt[path[Math.floor(path.length * 0.85)]] || 1;
    const ankleP = along(path, w, len - radius);
    put(ankle, ankleP);
    put(knee, [(hip[0] + ankleP[0]) / 2, (hip[1] + ankleP[1]) / 2]);
  }
  return j;
}
