/** Multi-source Dijkstra over the set pixels of a grid (8-connected, diagonal cost √2). */

export interface GeodesicResult {
  /** Distance to the nearest source inside the mask (Infinity where unreachable). */
  dist: Float64Array;
  /** Label of the nearest source (-1 where unreachable). */
  label: Int32Array;
  /** Previous pixel on the shortest path (-1 at sources and unreachable pixels). */
  prev: Int32Array;
}

/** A binary min-heap of (key, value) pairs on typed arrays, growing as needed. */
class MinHeap {
  private keys = new Float64Array(1024);
  private vals = new Int32Array(1024);
  size = 0;

  push(key: number, val: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2); k.set(this.keys); this.keys = k;
      const v = new Int32Array(this.size * 2); v.set(this.vals); this.vals = v;
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.keys[p] <= key) break;
      this.keys[i] = this.keys[p]; this.vals[i] = this.vals[p]; i = p;
    }
    this.keys[i] = key; this.vals[i] = val;
  }

  /** Removes the minimum; returns its value (its key is left in `lastKey`). */
  pop(): number {
    const top = this.vals[0];
    this.lastKey = this.keys[0];
    const key = this.keys[--this.size]; const val = this.vals[this.size];
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.size) break;
      if (c + 1 < this.size && this.keys[c + 1] < this.keys[c]) c++;
      if (this.keys[c] >= key) break;
      this.keys[i] = this.keys[c]; this.vals[i] = this.vals[c]; i = c;
    }
    this.keys[i] = key; this.vals[i] = val;
    return top;
  }

  lastKey = 0;
}

const SQRT2 = Math.SQRT2;

/**
 * Colour-edge cost: a step between pixels of colours a and b costs its length times
 * 1 + k·d²/(d² + σ²), d the RGB distance, so fronts cross strong image edges reluctantly and the
 * borders between labels settle on the picture's own edges.
 */
export interface EdgeCost { rgb: Float32Array; k: number; sigma: number }

/**
 * Geodesic distances from labelled source pixels (`sources[k]` = pixel index, `labels[k]` its label)
 * through pixels where mask[i] is non-zero.
 */
export function geodesic(
  mask: Uint8Array, w: number, h: number, sources: ArrayLike<number>, labels: ArrayLike<number>, edges?: EdgeCost,
): GeodesicResult {
  const n = w * h;
  const dist = new Float64Array(n).fill(Infinity);
  const label = new Int32Array(n).fill(-1);
  const prev = new Int32Array(n).fill(-1);
  const heap = new MinHeap();
  for (let k = 0; k < sources.length; k++) {
    const p = sources[k];
    if (!mask[p] || dist[p] === 0) continue;
    dist[p] = 0; label[p] = labels[k];
    heap.push(0, p);
  }
  const done = new Uint8Array(n);
  const s2 = edges ? edges.sigma * edges.sigma : 1;
  while (heap.size > 0) {
    const p = heap.pop();
    const d = heap.lastKey;
    if (done[p] || d > dist[p]) continue;
    done[p] = 1;
    const x = p % w; const y = (p - x) / w;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        if (dx === 0 && dy === 0) continue;
        const xx = x + dx;
        if (xx < 0 || xx >= w) continue;
        const q = yy * w + xx;
        if (!mask[q] || done[q]) continue;
        let step = dx !== 0 && dy !== 0 ? SQRT2 : 1;
        if (edges) {
          const c = edges.rgb;
          const dr = c[3 * p] - c[3 * q]; const dg = c[3 * p + 1] - c[3 * q + 1]; const db = c[3 * p + 2] - c[3 * q + 2];
          const d2 = dr * dr + dg * dg + db * db;
          step *= 1 + (edges.k * d2) / (d2 + s2);
        }
        const nd = d + step;
        if (nd < dist[q]) {
          dist[q] = nd; label[q] = label[p]; prev[q] = p;
          heap.push(nd, q);
        }
      }
    }
  }
  return { dist, label, prev };
}
