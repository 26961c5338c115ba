/**
 * The picture's own pixels round a character part that has not moved. The clean plate fills a rim
 * just outside the character's outline (its soft edge, the shadow line at its feet, a few pixels of
 * background) with a guess; next to a part that stays where the picture has it, the picture itself
 * is right there, and the guess only blurs the ground under a foot that stands still and rims a
 * still head. So each rim pixel shows the picture again while the rig vertex nearest to it is at
 * its place in the picture (within a pixel or so on the canvas), the plate once it has moved a few
 * pixels away, and a blend between. Pure: the canvas arrays are given, nothing is read or written.
 */
import { smoothstep } from '../geometry/smoothstep.js';

/** Where each picture pixel lands on the canvas: canvas = (x + 0.5 − x0)·k − 0.5 per axis (pixel centres at integers). */
export interface PlateWindow { x0: number; y0: number; kx: number; ky: number }

export interface StillRing {
  /** Canvas pixel index of each rim pixel. */
  pixels: Int32Array;
  /** The rig vertex nearest to each rim pixel (in the picture). */
  vertex: Int32Array;
  /** The picture's RGB at each rim pixel, on the canvas. */
  colour: Uint8Array;
  /** Every vertex's canvas position in the picture (2 per vertex). */
  home: Float32Array;
  /** Vertex displacement (canvas px) at and below which a rim pixel is the picture's, and from which it is the plate's. */
  still: number; moved: number;
}

/** Displacement limits as shares of the canvas's short side: 0.7 and 2.5 px on a 720 px canvas. */
const STILL_SHARE = 0.001;
const MOVED_SHARE = 0.0035;
/** A rim pixel farther than this share of the short side from every vertex always shows the plate. */
const REACH_SHARE = 0.025;
/** Rim pixels whose plate colour is within this (sum over RGB) of the picture's are left out: nothing to restore. */
const SAME_COLOUR = 6;

export interface StillRingInput {
  width: number; height: number;
  /** The picture and the plate on the canvas (RGB). */
  picture: Uint8Array; plate: Uint8Array;
  /** Per canvas pixel: 1 where the plate filled the rim round the character and the character is not opaque. */
  rim: Uint8Array;
  /** Vertex positions in the picture (image px, 2 per vertex), and which vertices count (the layers' own). */
  rest: Float32Array; seeds: Uint8Array;
  window: PlateWindow;
}

export function buildStillRing(o: StillRingInput): StillRing {
  const { width: w, height: h, window: win } = o;
  const short = Math.min(w, h);
  const reach = REACH_SHARE * short;
  const nv = o.rest.length / 2;
  const home = new Float32Array(nv * 2);
  for (let v = 0; v < nv; v++) {
    home[2 * v] = (o.rest[2 * v] + 0.5 - win.x0) * win.kx - 0.5;
    home[2 * v + 1] = (o.rest[2 * v + 1] + 0.5 - win.y0) * win.ky - 0.5;
  }
  // Seed vertices bucketed in cells of `reach`: a rim pixel looks at its own cell and the 8 round it.
  const cell = Math.max(1, reach);
  const gw = Math.ceil(w / cell) + 1; const gh = Math.ceil(h / cell) + 1;
  const buckets: number[][] = Array.from({ length: gw * gh }, () => []);
  for (let v = 0; v < nv; v++) {
    if (!o.seeds[v]) continue;
    const gx = Math.floor(home[2 * v] / cell); const gy = Math.floor(home[2 * v + 1] / cell);
    if (gx < 0 || gy < 0 || gx >= gw || gy >= gh) continue;
    buckets[gy * gw + gx].push(v);
  }
  const pixels: number[] = []; const vertex: number[] = [];
  const reach2 = reach * reach;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      if (!o.rim[p]) continue;
      const d = 3 * p;
      const diff = Math.abs(o.picture[d] - o.plate[d]) + Math.abs(o.picture[d + 1] - o.plate[d + 1]) + Math.abs(o.picture[d + 2] - o.plate[d + 2]);
      if (diff <= SAME_COLOUR) continue;
      const gx = Math.floor(x / cell); const gy = Math.floor(y / cell);
      let best = -1; let bestD = reach2;
      for (let by = Math.max(0, gy - 1); by <= Math.min(gh - 1, gy + 1); by++) {
        for (let bx = Math.max(0, gx - 1); bx <= Math.min(gw - 1, gx + 1); bx++) {
          for (const v of buckets[by * gw + bx]) {
            const ex = home[2 * v] - x; const ey = home[2 * v + 1] - y;
            const d2 = ex * ex + ey * ey;
            if (d2 < bestD) { bestD = d2; best = v; }
          }
        }
      }
      if (best < 0) continue;
      pixels.push(p); vertex.push(best);
    }
  }
  const colour = new Uint8Array(pixels.length * 3);
  for (let i = 0; i < pixels.length; i++) colour.set(o.picture.subarray(3 * pixels[i], 3 * pixels[i] + 3), 3 * i);
  return {
    pixels: Int32Array.from(pixels), vertex: Int32Array.from(vertex), colour, home,
    still: STILL_SHARE * short, moved: MOVED_SHARE * short,
  };
}

/** The share of the picture's colour a rim pixel shows when its vertex is `displacement` canvas px from home. */
export function stillShare(ring: Pick<StillRing, 'still' | 'moved'>, displacement: number): number {
  return 1 - smoothstep(ring.still, ring.moved, displacement);
}

/**
 * Blends the picture back into the rim of `canvas` (the plate, before the character is drawn),
 * given where each vertex is on the canvas this frame (`at(v)` → [x, y]).
 */
export function applyStillRing(canvas: Uint8Array, ring: StillRing, at: (v: number) => readonly [number, number]): void {
  const share = new Float32Array(ring.home.length / 2).fill(-1);
  for (let i = 0; i < ring.pixels.length; i++) {
    const v = ring.vertex[i];
    if (share[v] < 0) {
      const [x, y] = at(v);
      share[v] = stillShare(ring, Math.hypot(x - ring.home[2 * v], y - ring.home[2 * v + 1]));
    }
    const s = share[v];
    if (s <= 0) continue;
    const d = 3 * ring.pixels[i]; const c = 3 * i;
    for (let k = 0; k < 3; k++) canvas[d + k] = Math.round(canvas[d + k] + (ring.colour[c + k] - canvas[d + k]) * s);
  }
}
