/** Masks for drawings on paper and for images with transparency. */
import type { RasterImage, SoftMask } from '../types.js';
import { components, dilate, erode, fillHoles, largestComponent, morph3x3, orMasks, type BinaryMask } from './mask.js';
import { resizeRgb } from '../render/resize.js';
import { estimatePaper, looksLikePaper, minChannel } from './paper.js';

/** What the drawing segmentation found: the figure's shape (for the mesh) and its alpha (for the texture). */
export interface DrawingLayers {
  /** The figure: its strokes, what they enclose, thin strokes thickened so the mesh has width. 0/1. */
  shape: SoftMask;
  /** Opacity: the ink's own strength (0 on bare paper, inside the outline too). */
  alpha: SoftMask;
  /** The figure without the margin and rounding (what its skeleton is found from). 0/1. */
  body: SoftMask;
  /** Ink pixels kept as the figure (before closing and filling). */
  inkPixels: number;
  /** Separate groups of strokes on the sheet (the figure is the one with most ink). */
  groups: number;
}

/** Ink darkness relative to the paper under it: 0 on paper, 1 for black. */
function darkness(gray: Float32Array, background: Float32Array): Float32Array {
  const d = new Float32Array(gray.length);
  for (let i = 0; i < d.length; i++) d[i] = Math.max(0, Math.min(1, 1 - gray[i] / background[i]));
  return d;
}

/**
 * Threshold from the paper's own grain: a few times the median darkness of the paper, never below 6%
 * (a pencil line on white paper is 20–50% dark), never above 20%.
 */
function inkThreshold(d: Float32Array, sheet: BinaryMask | null): number {
  const sample: number[] = [];
  const step = Math.max(1, Math.floor(d.length / 200_000));
  for (let i = 0; i < d.length; i += step) if (!sheet || sheet.data[i]) sample.push(d[i]);
  sample.sort((a, b) => a - b);
  const median = sample.length ? sample[Math.floor(sample.length / 2)] : 0;
  return Math.min(0.2, Math.max(0.06, 0.03 + 4 * median));
}

/**
 * Strokes within `gap` px of each other form a group; the figure is the group with most ink. A group
 * touching the image's edge counts a quarter (the next page, a sheet's edge), one with most of its
 * ink near the edge not at all (the table around the sheet: a frame, not a figure).
 */
function figureGroup(ink: BinaryMask, gap: number): { figure: BinaryMask; groups: number } {
  const { width: w, height: h } = ink;
  const near = dilate(ink, gap);
  const { labels, sizes } = components(near, 1);
  const k = sizes.length;
  const inkIn = new Float64Array(k); const inkAtEdge = new Float64Array(k);
  const margin = 0.1 * Math.min(w, h);
  const x0 = new Int32Array(k).fill(w); const x1 = new Int32Array(k).fill(-1);
  const y0 = new Int32Array(k).fill(h); const y1 = new Int32Array(k).fill(-1);
  for (let y = 0, i = 0; y < h; y++) {
    for (let x = 0; x < w; x++, i++) {
      const l = labels[i];
      if (l === 0) continue;
      if (ink.data[i]) {
        inkIn[l]++;
        if (Math.min(x, y, w - 1 - x, h - 1 - y) < margin) inkAtEdge[l]++;
      }
      if (x < x0[l]) x0[l] = x; if (x > x1[l]) x1[l] = x; if (y < y0[l]) y0[l] = y; if (y > y1[l]) y1[l] = y;
    }
  }
  let best = 0; let bestScore = 0; let groups = 0;
  const total = inkIn.reduce((a, b) => a + b, 0);
  for (let l = 1; l < k; l++) {
    const touches = x0[l] === 0 || y0[l] === 0 || x1[l] === w - 1 || y1[l] === h - 1;
    const frame = touches && inkAtEdge[l] > 0.5 * inkIn[l];
    const score = frame ? 0 : inkIn[l] * (touches ? 0.25 : 1);
    if (score > bestScore) { best = l; bestScore = score; }
    if (inkIn[l] >= 0.02 * total) groups++;
  }
  const data = new Uint8Array(ink.data.length);
  if (best > 0) for (let i = 0; i < data.length; i++) data[i] = ink.data[i] && labels[i] === best ? 1 : 0;
  return { figure: { width: w, height: h, data }, groups };
}

/** Drops ink components smaller than `minSize` px: the paper's grain, dust, JPEG noise. */
function dropSpecks(ink: BinaryMask, minSize: number): BinaryMask {
  const { labels, sizes } = components(ink, 1);
  const data = new Uint8Array(ink.data.length);
  for (let i = 0; i < data.length; i++) data[i] = labels[i] > 0 && sizes[labels[i]] >= minSize ? 1 : 0;
  return { width: ink.width, height: ink.height, data };
}

function boundingSide(m: BinaryMask): number {
  let x0 = m.width; let x1 = -1; let y0 = m.height; let y1 = -1;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (!m.data[y * m.width + x]) continue;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? 0 : Math.max(x1 - x0 + 1, y1 - y0 + 1);
}


function soft(m: BinaryMask): SoftMask {
  return { width: m.width, height: m.height, data: Float32Array.from(m.data) };
}

/** Drawings are segmented at most this size (plenty for a 720p output), then scaled back. */
const WORK_PIXELS = 1_000_000;

/**
 * A drawing on paper: ink = darker than the paper under it (paper brightness estimated at a large
 * scale, so shadows and uneven light are not ink), on the sheet only; strokes grouped into the
 * figure; gaps in its outline closed at a scale relative to the figure (up to 4% of its size) and what
 * the strokes enclose filled; strokes thinner than 2.4% of the figure thickened so a stick figure's
 * limbs have width; a thin margin all round so the mesh's edge never clips the outline. The alpha
 * is 1 inside the enclosed outline where it is wider than a stroke, else the ink's: no paper round
 * a stroke moves with the figure.
 */
export function segmentDrawingLayers(img: RasterImage): DrawingLayers {
  const { width: w, height: h } = img;
  if (w * h <= WORK_PIXELS) return segmentAtWorkSize(img);
  const k = Math.sqrt(WORK_PIXELS / (w * h));
  const work = segmentAtWorkSize(resizeRgb(img, Math.max(1, Math.round(w * k)), Math.max(1, Math.round(h * k))));
  const alpha = upsample(work.alpha, w, h);
  const shapeUp = upsample(work.shape, w, h);
  const body = upsample(work.body, w, h);
  const shape = new Float32Array(w * h);
  for (let i = 0; i < shape.length; i++) {
    shape[i] = shapeUp.data[i] >= 0.5 ? 1 : 0; alpha.data[i] *= shape[i]; body.data[i] = body.data[i] >= 0.5 ? shape[i] : 0;
  }
  return { ...work, shape: { width: w, height: h, data: shape }, alpha, body };
}

/** Bilinear resampling of a mask to w×h (pixel centres aligned). */
function upsample(m: SoftMask, w: number, h: number): SoftMask {
  const out = new Float32Array(w * h);
  const sx = m.width / w; const sy = m.height / h;
  for (let y = 0; y < h; y++) {
    const fy = Math.min(m.height - 1, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy); const y1 = Math.min(m.height - 1, y0 + 1); const ty = fy - y0;
    for (let x = 0; x < w; x++) {
      const fx = Math.min(m.width - 1, Math.max(0, (x + 0.5) * sx - 0.5));
      const x0 = Math.floor(fx); const x1 = Math.min(m.width - 1, x0 + 1); const tx = fx - x0;
      const a = m.data[y0 * m.width + x0] * (1 - tx) + m.data[y0 * m.width + x1] * tx;
      const b = m.data[y1 * m.width + x0] * (1 - tx) + m.data[y1 * m.width + x1] * tx;
      out[y * w + x] = a * (1 - ty) + b * ty;
    }
  }
  return { width: w, height: h, data: out };
}

function segmentAtWorkSize(img: RasterImage): DrawingLayers {
  const { width: w, height: h } = img;
  const gray = minChannel(img);
  const p = estimatePaper(img, gray);
  const d = darkness(gray, p.background);
  const t = inkThreshold(d, p.sheet);
  const raw = new Uint8Array(w * h);
  for (let i = 0; i < raw.length; i++) raw[i] = d[i] >= t && (!p.sheet || p.sheet.data[i]) ? 1 : 0;
  // Bridge single-pixel breaks in faint lines, then drop the paper's grain.
  const ink = dropSpecks(morph3x3(morph3x3({ width: w, height: h, data: raw }, 'dilate'), 'erode'), Math.max(4, 1.5e-5 * w * h));
  const { figure, groups } = figureGroup(ink, Math.max(3, 0.012 * (w + h) / 2));
  let inkPixels = 0;
  for (let i = 0; i < figure.data.length; i++) inkPixels += figure.data[i];
  const side = boundingSide(figure);
  const empty = { width: w, height: h, data: new Float32Array(w * h) };
  if (side < 8) return { shape: empty, alpha: empty, body: empty, inkPixels, groups };

  // Filling between the dilation and the erosion is what closes a gap in an outline: a closing
  // alone leaves a gap in a thin line open (a disc from the inside still fits through it).
  const closeR = Math.max(2, 0.02 * side);
  const filled = largestComponent(fillHoles(erode(fillHoles(dilate(figure, closeR)), closeR)));
  const halfWidth = Math.max(2, 0.012 * side);
  const opened = dilate(erode(filled, halfWidth), halfWidth);
  const thin = new Uint8Array(w * h);
  for (let i = 0; i < thin.length; i++) thin[i] = filled.data[i] & (opened.data[i] ^ 1);
  // Only strokes are thickened, not the small bumps of a wobbly outline.
  const strokes = dropSpecks({ width: w, height: h, data: thin }, 4 * halfWidth * halfWidth);
  // A transparent margin outside the outline, its inner corners rounded: the mesh's outline (chords
  // between points a few px apart) then lies beyond the outermost ink, even where a limb meets the body.
  const margin = Math.max(2, 0.008 * side);
  const round = Math.max(2, 0.02 * side);
  const joined = largestComponent(fillHoles(orMasks(filled, dilate(strokes, halfWidth))));
  const shape = erode(dilate(joined, round + margin), round);

  // Opacity: what the outline encloses is the figure's (a garlic's bulb, a face: the paper there is
  // its colour, and it moves with it), where it is wider than a stroke (the opening: not the corners
  // the closing filled between fingers or where a stick arm meets the body); elsewhere the ink's own,
  // so the paper round a stick limb stays with the plate and the limb carries no patch of its sheet.
  const alpha = new Float32Array(w * h);
  for (let i = 0; i < alpha.length; i++) {
    if (shape.data[i]) alpha[i] = filled.data[i] && opened.data[i] ? 1 : Math.max(0, Math.min(1, (d[i] - 0.5 * t) / t));
  }
  return { shape: soft(shape), alpha: { width: w, height: h, data: alpha }, body: soft(joined), inkPixels, groups };
}

/** The figure's shape as a 0/1 soft mask (see segmentDrawingLayers). */
export function segmentDrawing(img: RasterImage): SoftMask {
  return segmentDrawingLayers(img).shape;
}

/** Images are judged paper or not at most this size. */
const JUDGE_PIXELS = 250_000;

/**
 * True when the image looks like a drawing on paper: mostly bare, colourless paper (shadows and a
 * table around the sheet allowed), or a plain light border.
 */
export function looksLikeDrawing(img: RasterImage): boolean {
  const { width: w, height: h } = img;
  const k = Math.min(1, Math.sqrt(JUDGE_PIXELS / (w * h)));
  const small = k < 1 ? resizeRgb(img, Math.max(1, Math.round(w * k)), Math.max(1, Math.round(h * k))) : img;
  return looksLikePaper(estimatePaper(small)) || hasPlainBackground(small);
}

/** The alpha channel as a mask when the image really uses transparency, else null. */
export function maskFromAlpha(img: RasterImage): SoftMask | null {
  if (img.channels !== 4) return null;
  const n = img.width * img.height;
  let clear = 0; let opaque = 0;
  for (let i = 3, p = 0; p < n; i += 4, p++) {
    const a = img.data[i];
    if (a < 16) clear++;
    else if (a > 240) opaque++;
  }
  // A few transparent pixels (e.g. a rounded corner) are not a cut-out character.
  if (clear < 0.02 * n || opaque < 0.01 * n) return null;
  const data = new Float32Array(n);
  for (let p = 0; p < n; p++) data[p] = img.data[4 * p + 3] / 255;
  return { width: img.width, height: img.height, data };
}

/** True when the image border is near-uniform and light, like paper around a drawing. */
export function hasPlainBackground(img: RasterImage): boolean {
  const { width: w, height: h, channels: c, data } = img;
  const band = Math.max(1, Math.round(Math.min(w, h) / 100));
  const lum: number[] = [];
  const sat: number[] = [];
  const take = (x: number, y: number) => {
    const i = (y * w + x) * c;
    const r = data[i]; const g = data[i + 1]; const b = data[i + 2];
    lum.push(0.299 * r + 0.587 * g + 0.114 * b);
    sat.push(Math.max(r, g, b) - Math.min(r, g, b));
  };
  const step = Math.max(1, Math.floor(Math.max(w, h) / 400));
  for (let k = 0; k < band; k++) {
    for (let x = 0; x < w; x += step) { take(x, k); take(x, h - 1 - k); }
    for (let y = 0; y < h; y += step) { take(k, y); take(w - 1 - k, y); }
  }
  lum.sort((a, b) => a - b);
  sat.sort((a, b) => a - b);
  const q = (arr: number[], f: number) => arr[Math.min(arr.length - 1, Math.floor(f * arr.length))];
  const median = q(lum, 0.5);
  // Paper: light to mid grey (a photographed sheet is often ~140), almost no colour anywhere on the
  // border, and most of it within a narrow band (shading allowed).
  return median >= 110 && q(sat, 0.5) <= 30 && q(sat, 0.9) <= 50 && q(lum, 0.9) - q(lum, 0.1) <= 45;
}
