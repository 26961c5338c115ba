/**
 * The paper under a drawing: a large-scale estimate of its brightness (so shadows and uneven light
 * do not read as ink) and where the sheet lies (so the table and the sheet's edge are not the figure).
 * Worked on a grid of cells about 1/256 of the image's long side.
 */
import type { RasterImage } from '../types.js';
import { components, type BinaryMask } from './mask.js';
import { convexHull } from '../geometry/hull.js';

export interface PaperEstimate {
  /** Paper brightness per pixel (min-channel scale 0..255), full resolution. */
  background: Float32Array;
  /** The sheet (the paper region's convex hull, one cell in from its edge); null when no sheet is found. */
  sheet: BinaryMask | null;
  /** Share of the image's cells that are bare paper. */
  paperShare: number;
  /** Brightness of well-lit paper (90th percentile of the paper cells). */
  paperLevel: number;
}

/** Per-pixel minimum over the colour channels: ink of any colour is dark in it, paper stays light. */
export function minChannel(img: RasterImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const c = img.channels;
  for (let i = 0, j = 0; i < n; i++, j += c) {
    const r = img.data[j]; const g = img.data[j + 1]; const b = img.data[j + 2];
    out[i] = r < g ? (r < b ? r : b) : (g < b ? g : b);
  }
  return out;
}

interface Grid { w: number; h: number; f: number; gray: Float32Array; sat: Float32Array }

/** Cell means of the min channel and of the saturation (max − min channel). */
function cellGrid(img: RasterImage, gray: Float32Array): Grid {
  const { width: W, height: H, channels: c, data } = img;
  const f = Math.max(2, Math.ceil(Math.max(W, H) / 256));
  const w = Math.ceil(W / f); const h = Math.ceil(H / f);
  const sumG = new Float32Array(w * h); const sumS = new Float32Array(w * h); const n = new Float32Array(w * h);
  for (let y = 0; y < H; y++) {
    const row = Math.floor(y / f) * w;
    for (let x = 0; x < W; x++) {
      const p = y * W + x; const q = row + Math.floor(x / f); const j = p * c;
      const r = data[j]; const g = data[j + 1]; const b = data[j + 2];
      sumG[q] += gray[p]; sumS[q] += Math.max(r, g, b) - Math.min(r, g, b); n[q]++;
    }
  }
  for (let q = 0; q < w * h; q++) { sumG[q] /= n[q]; sumS[q] /= n[q]; }
  return { w, h, f, gray: sumG, sat: sumS };
}

/** Maximum over the (2r+1)² window, separable. */
function maxFilter(a: Float32Array, w: number, h: number, r: number): Float32Array {
  const tmp = new Float32Array(a.length); const out = new Float32Array(a.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = -Infinity;
      for (let k = Math.max(0, x - r); k <= Math.min(w - 1, x + r); k++) m = Math.max(m, a[y * w + k]);
      tmp[y * w + x] = m;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = -Infinity;
      for (let k = Math.max(0, y - r); k <= Math.min(h - 1, y + r); k++) m = Math.max(m, tmp[k * w + x]);
      out[y * w + x] = m;
    }
  }
  return out;
}

/** Separable Gaussian blur with standard deviation `sigma` (cells), borders replicated. */
function blur(a: Float32Array, w: number, h: number, sigma: number): Float32Array {
  const r = Math.max(1, Math.ceil(2.5 * sigma));
  const k = new Float32Array(2 * r + 1);
  for (let i = -r; i <= r; i++) k[i + r] = Math.exp(-(i * i) / (2 * sigma * sigma));
  const tmp = new Float32Array(a.length); const out = new Float32Array(a.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0; let ks = 0;
      for (let i = -r; i <= r; i++) { const xx = Math.min(w - 1, Math.max(0, x + i)); s += k[i + r] * a[y * w + xx]; ks += k[i + r]; }
      tmp[y * w + x] = s / ks;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0; let ks = 0;
      for (let i = -r; i <= r; i++) { const yy = Math.min(h - 1, Math.max(0, y + i)); s += k[i + r] * tmp[yy * w + x]; ks += k[i + r]; }
      out[y * w + x] = s / ks;
    }
  }
  return out;
}

function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** Bilinear upsampling of a cell grid to the image (cell centres at (i + 0.5)·f). */
function upsample(g: Float32Array, gw: number, gh: number, f: number, W: number, H: number): Float32Array {
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const gy = Math.min(gh - 1, Math.max(0, (y + 0.5) / f - 0.5));
    const y0 = Math.min(gh - 2, Math.floor(gy)); const ty = gh > 1 ? gy - Math.max(0, y0) : 0;
    const ya = Math.max(0, y0); const yb = Math.min(gh - 1, ya + 1);
    for (let x = 0; x < W; x++) {
      const gx = Math.min(gw - 1, Math.max(0, (x + 0.5) / f - 0.5));
      const x0 = Math.min(gw - 2, Math.floor(gx)); const xa = Math.max(0, x0); const xb = Math.min(gw - 1, xa + 1);
      const tx = gw > 1 ? gx - xa : 0;
      const top = g[ya * gw + xa] * (1 - tx) + g[ya * gw + xb] * tx;
      const bot = g[yb * gw + xa] * (1 - tx) + g[yb * gw + xb] * tx;
      out[y * W + x] = top * (1 - ty) + bot * ty;
    }
  }
  return out;
}

/** A cell is bare paper when it is nearly colourless and about as bright as the brightest cells around it. */
const PAPER_MAX_SAT = 40;
const PAPER_LOCAL_SHARE = 0.82;
/** Shadowed paper keeps at least this share of the lit paper's brightness; a black fill does not. */
const PAPER_MIN_SHARE = 0.2;

export function estimatePaper(img: RasterImage, gray = minChannel(img)): PaperEstimate {
  const { width: W, height: H } = img;
  const g = cellGrid(img, gray);
  const n = g.w * g.h;
  const localMax = maxFilter(g.gray, g.w, g.h, 2);
  const colourless: number[] = [];
  for (let q = 0; q < n; q++) if (g.sat[q] <= PAPER_MAX_SAT) colourless.push(g.gray[q]);
  const paperLevel = quantile(colourless.length > 0.05 * n ? colourless : Array.from(g.gray), 0.9);
  const paper = new Uint8Array(n);
  let paperCells = 0;
  for (let q = 0; q < n; q++) {
    const v = g.gray[q];
    if (g.sat[q] <= PAPER_MAX_SAT && v >= PAPER_LOCAL_SHARE * localMax[q] && v >= PAPER_MIN_SHARE * paperLevel) { paper[q] = 1; paperCells++; }
  }
  // Normalised convolution over paper cells: fine where paper is near, coarser across big inked areas.
  const weighted = new Float32Array(n);
  const weight = new Float32Array(n);
  for (let q = 0; q < n; q++) { weighted[q] = paper[q] * g.gray[q]; weight[q] = paper[q]; }
  const bgGrid = new Float32Array(n).fill(NaN);
  for (const sigma of [2, 6, 20]) {
    const num = blur(weighted, g.w, g.h, sigma); const den = blur(weight, g.w, g.h, sigma);
    for (let q = 0; q < n; q++) if (Number.isNaN(bgGrid[q]) && den[q] >= 0.15) bgGrid[q] = num[q] / den[q];
  }
  for (let q = 0; q < n; q++) if (Number.isNaN(bgGrid[q])) bgGrid[q] = paperLevel;
  const background = upsample(bgGrid, g.w, g.h, g.f, W, H);
  for (let i = 0; i < background.length; i++) background[i] = Math.max(1, background[i]);
  return { background, sheet: sheetMask(paper, g, W, H), paperShare: paperCells / n, paperLevel };
}

function insideHull(hull: [number, number][], x: number, y: number): boolean {
  for (let i = 0; i < hull.length; i++) {
    const a = hull[i]; const b = hull[(i + 1) % hull.length];
    if ((b[0] - a[0]) * (y - a[1]) - (b[1] - a[1]) * (x - a[0]) < 0) return false;
  }
  return true;
}

/**
 * The sheet: the convex hull of the paper regions (so it holds the figure drawn on it, even one whose
 * arms reach the image's edges and cut the paper in two). A dark table beside the sheet is left out.
 */
function sheetMask(paper: Uint8Array, g: Grid, W: number, H: number): BinaryMask | null {
  const { labels, sizes } = components({ width: g.w, height: g.h, data: paper }, 1);
  let largest = 0;
  for (let i = 1; i < sizes.length; i++) largest = Math.max(largest, sizes[i]);
  if (largest < 0.2 * g.w * g.h) return null;
  const inSheet = (q: number) => labels[q] > 0 && sizes[labels[q]] >= 0.05 * largest;
  // Hull of the cells' corners: a sheet filling the image gives the whole image.
  const pts: [number, number][] = [];
  for (let y = 0; y < g.h; y++) {
    for (let x = 0; x < g.w; x++) {
      const q = y * g.w + x;
      if (!inSheet(q)) continue;
      const l = x === 0 || !inSheet(q - 1); const r = x === g.w - 1 || !inSheet(q + 1);
      if (l || r) pts.push([x, y], [x + 1, y], [x, y + 1], [x + 1, y + 1]);
    }
  }
  const hull = convexHull(pts);
  const cells = new Uint8Array(g.w * g.h);
  // A cell is on the sheet when its whole 3×3 neighbourhood (clipped to the image) lies in the hull.
  for (let y = 0; y < g.h; y++) {
    for (let x = 0; x < g.w; x++) {
      const x0 = x === 0 ? 0 : x - 1; const x1 = x === g.w - 1 ? g.w : x + 2;
      const y0 = y === 0 ? 0 : y - 1; const y1 = y === g.h - 1 ? g.h : y + 2;
      cells[y * g.w + x] = insideHull(hull, x0, y0) && insideHull(hull, x1, y0) && insideHull(hull, x0, y1) && insideHull(hull, x1, y1) ? 1 : 0;
    }
  }
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const row = Math.floor(y / g.f) * g.w;
    for (let x = 0; x < W; x++) data[y * W + x] = cells[row + Math.floor(x / g.f)];
  }
  return { width: W, height: H, data };
}

/**
 * True when the image is a drawing on paper: most of it is bare, colourless, evenly lit paper (a
 * photographed sheet may sit on a table and carry shadows; both are allowed).
 */
export function looksLikePaper(p: PaperEstimate): boolean {
  return p.sheet !== null && p.paperShare >= 0.66 && p.paperLevel >= 90;
}
