/** Binary mask operations: distance transform, morphology, connected components, hole filling. */

export interface BinaryMask { width: number; height: number; data: Uint8Array }

const INF = 1e20;

/** 1-D squared distance transform (Felzenszwalb & Huttenlocher) of f into d, using scratch v, z. */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0; z[0] = -INF; z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = ((f[q] + q * q) - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++; v[k] = q; z[k] = s; z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = (q - v[k]) * (q - v[k]) + f[v[k]];
  }
}

/** Squared Euclidean distance from each pixel to the nearest pixel where data == value (INF if none). */
export function squaredDistanceTo(m: BinaryMask, value: 0 | 1): Float64Array {
  const { width: w, height: h, data } = m;
  const out = new Float64Array(w * h);
  const n = Math.max(w, h);
  const f = new Float64Array(n); const d = new Float64Array(n);
  const v = new Int32Array(n); const z = new Float64Array(n + 1);
  for (let x = 0; x < w; x++) {
    for (let y = 0; y < h; y++) f[y] = data[y * w + x] === value ? 0 : INF;
    edt1d(f, h, d, v, z);
    for (let y = 0; y < h; y++) out[y * w + x] = d[y];
  }
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) f[x] = out[row + x];
    edt1d(f, w, d, v, z);
    for (let x = 0; x < w; x++) out[row + x] = d[x];
  }
  return out;
}

/** A rectangle of pixels, x0..x1 and y0..y1 inclusive. */
interface PixelBox { x0: number; y0: number; x1: number; y1: number }

/** The set pixels' bounding box grown by `grow` px on each side and clamped to the image; null for an empty mask. */
function grownBox(m: BinaryMask, grow: number): PixelBox | null {
  const { width: w, height: h, data } = m;
  let x0 = w; let y0 = h; let x1 = -1; let y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (!data[row + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  if (x1 < 0) return null;
  return { x0: Math.max(0, x0 - grow), y0: Math.max(0, y0 - grow), x1: Math.min(w - 1, x1 + grow), y1: Math.min(h - 1, y1 + grow) };
}

function cropMask(m: BinaryMask, b: PixelBox): BinaryMask {
  const cw = b.x1 - b.x0 + 1; const ch = b.y1 - b.y0 + 1;
  const data = new Uint8Array(cw * ch);
  for (let y = 0; y < ch; y++) data.set(m.data.subarray((b.y0 + y) * m.width + b.x0, (b.y0 + y) * m.width + b.x0 + cw), y * cw);
  return { width: cw, height: ch, data };
}

/**
 * Squared distance to the nearest unset pixel, for the set pixels only, computed on their bounding box
 * plus a one-pixel ring (`grownBox(m, 1)`). Exact: an unset pixel outside that box, clamped onto it, lands
 * on the ring (unset) and no farther from a pixel inside, so the nearest unset pixel always lies in it.
 */
function insideSquaredDistance(m: BinaryMask): { box: PixelBox; sq: Float64Array } | null {
  const box = grownBox(m, 1);
  return box ? { box, sq: squaredDistanceTo(cropMask(m, box), 0) } : null;
}

/** Per pixel of `box` in the image (w wide): f(index in the box's own w-wide raster, image index). */
function forEachInBox(box: PixelBox, w: number, f: (i: number, p: number) => void): void {
  for (let y = box.y0, i = 0; y <= box.y1; y++) {
    for (let x = box.x0, p = y * w + box.x0; x <= box.x1; x++, p++, i++) f(i, p);
  }
}

/** Euclidean distance from each set pixel to the nearest unset pixel (0 outside the mask). */
export function insideDistance(m: BinaryMask): Float32Array {
  const out = new Float32Array(m.width * m.height);
  const inside = insideSquaredDistance(m);
  if (!inside) return out;
  const { box, sq } = inside;
  forEachInBox(box, m.width, (i, p) => { if (m.data[p]) out[p] = Math.sqrt(Math.min(sq[i], 1e12)); });
  return out;
}

/** Pixels within Euclidean distance r of the mask. */
export function dilate(m: BinaryMask, r: number): BinaryMask {
  const data = new Uint8Array(m.width * m.height);
  // Only pixels within r of the set pixels' box can be within r of a set pixel.
  const box = grownBox(m, Math.ceil(Math.abs(r)) || 0);
  if (box) {
    const sq = squaredDistanceTo(cropMask(m, box), 1);
    const r2 = r * r;
    forEachInBox(box, m.width, (i, p) => { data[p] = sq[i] <= r2 ? 1 : 0; });
  }
  return { width: m.width, height: m.height, data };
}

/** Pixels farther than r from any unset pixel (the image border does not erode, as in OpenCV). */
export function erode(m: BinaryMask, r: number): BinaryMask {
  const data = new Uint8Array(m.width * m.height);
  const inside = insideSquaredDistance(m);
  if (inside) {
    const r2 = r * r;
    forEachInBox(inside.box, m.width, (i, p) => { data[p] = inside.sq[i] > r2 ? 1 : 0; });
  }
  return { width: m.width, height: m.height, data };
}

/** One 3x3 square dilation (max) or erosion (min), separable. */
export function morph3x3(m: BinaryMask, op: 'dilate' | 'erode'): BinaryMask {
  const { width: w, height: h, data } = m;
  const tmp = new Uint8Array(w * h);
  const out = new Uint8Array(w * h);
  const dil = op === 'dilate';
  for (let y = 0; y < h; y++) {
    const r = y * w;
    for (let x = 0; x < w; x++) {
      const a = data[r + x]; const l = x > 0 ? data[r + x - 1] : a; const rt = x < w - 1 ? data[r + x + 1] : a;
      tmp[r + x] = dil ? (a | l | rt) : (a & l & rt);
    }
  }
  for (let y = 0; y < h; y++) {
    const up = y > 0 ? (y - 1) * w : y * w; const dn = y < h - 1 ? (y + 1) * w : y * w; const r = y * w;
    for (let x = 0; x < w; x++) {
      out[r + x] = dil ? (tmp[r + x] | tmp[up + x] | tmp[dn + x]) : (tmp[r + x] & tmp[up + x] & tmp[dn + x]);
    }
  }
  return { width: w, height: h, data: out };
}

export interface Components {
  /** Component id per pixel, 0 for pixels not in any component, ids from 1. */
  labels: Int32Array;
  /** Pixel count per id (index 0 unused). */
  sizes: number[];
}

/** Connected components of pixels whose value is `value` (8-connected for 1, 4-connected for 0). */
export function components(m: BinaryMask, value: 0 | 1 = 1): Components {
  const { width: w, height: h, data } = m;
  const labels = new Int32Array(w * h);
  const sizes = [0];
  const stack = new Int32Array(w * h);
  const eight = value === 1;
  let next = 1;
  for (let start = 0; start < w * h; start++) {
    if (data[start] !== value || labels[start] !== 0) continue;
    const id = next++;
    let top = 0; let size = 0;
    stack[top++] = start; labels[start] = id;
    while (top > 0) {
      const p = stack[--top]; size++;
      const x = p % w; const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (!eight && dx !== 0 && dy !== 0)) continue;
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          const q = yy * w + xx;
          if (data[q] === value && labels[q] === 0) { labels[q] = id; stack[top++] = q; }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/**
 * 1 where the pixel's component id is kept (`keep(id)`, asked once per id, never for 0), else 0. A plain loop over
 * a per-id table: `Uint8Array.from(labels, f)` first lists every label in an array and calls f per pixel.
 */
export function pixelsOfComponents(labels: Int32Array, ids: number, keep: (id: number) => boolean): Uint8Array {
  const take = new Uint8Array(ids);
  for (let id = 1; id < ids; id++) take[id] = keep(id) ? 1 : 0;
  const out = new Uint8Array(labels.length);
  for (let p = 0; p < labels.length; p++) out[p] = take[labels[p]];
  return out;
}

/** 4-connected components of the pixels `pick` takes (`components` of the 0s of that selection). */
export function componentsWhere(width: number, height: number, pick: (p: number) => boolean): Components {
  const data = new Uint8Array(width * height);
  for (let p = 0; p < data.length; p++) data[p] = pick(p) ? 0 : 1;
  return components({ width, height, data }, 0);
}

/** The union of two masks of one size. */
export function orMasks(a: BinaryMask, b: BinaryMask): BinaryMask {
  const data = new Uint8Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = a.data[i] | b.data[i];
  return { width: a.width, height: a.height, data };
}

/** Keeps only the largest 8-connected component (empty mask stays empty). */
export function largestComponent(m: BinaryMask): BinaryMask {
  const { labels, sizes } = components(m, 1);
  let best = 0;
  for (let i = 1; i < sizes.length; i++) if (sizes[i] > (sizes[best] ?? 0)) best = i;
  const data = new Uint8Array(m.data.length);
  if (best > 0) for (let i = 0; i < data.length; i++) data[i] = labels[i] === best ? 1 : 0;
  return { width: m.width, height: m.height, data };
}

/** Fills background regions not connected to the image border; only those up to maxArea px if given. */
export function fillHoles(m: BinaryMask, maxArea = Infinity): BinaryMask {
  const { width: w, height: h } = m;
  const { labels, sizes } = components(m, 0);
  const touches = new Uint8Array(sizes.length);
  for (let x = 0; x < w; x++) { touches[labels[x]] = 1; touches[labels[(h - 1) * w + x]] = 1; }
  for (let y = 0; y < h; y++) { touches[labels[y * w]] = 1; touches[labels[y * w + w - 1]] = 1; }
  const data = Uint8Array.from(m.data);
  for (let i = 0; i < data.length; i++) {
    const id = labels[i];
    if (id > 0 && !touches[id] && sizes[id] <= maxArea) data[i] = 1;
  }
  return { width: w, height: h, data };
}

export function countSet(m: BinaryMask): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) n += m.data[i];
  return n;
}

export function binaryFromSoft(soft: { width: number; height: number; data: Float32Array }, threshold = 0.5): BinaryMask {
  const data = new Uint8Array(soft.data.length);
  for (let i = 0; i < data.length; i++) data[i] = soft.data[i] >= threshold ? 1 : 0;
  return { width: soft.width, height: soft.height, data };
}
