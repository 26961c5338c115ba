/** Masks for drawings on paper (AnimatedDrawings' classical method) and for images with transparency. */
import type { RasterImage, SoftMask } from '../types.js';
import { erode, fillHoles, largestComponent, morph3x3, type BinaryMask } from './mask.js';

/** Per-pixel minimum over the colour channels: ink of any colour is dark in it, paper stays light. */
function minChannel(img: RasterImage): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n);
  const c = img.channels;
  for (let i = 0, j = 0; i < n; i++, j += c) {
    const r = img.data[j]; const g = img.data[j + 1]; const b = img.data[j + 2];
    out[i] = r < g ? (r < b ? r : b) : (g < b ? g : b);
  }
  return out;
}

/** Box blur of odd width `size` along rows (stride 1) or columns (stride w), borders replicated. */
function boxPass(src: Float32Array, dst: Float32Array, w: number, h: number, size: number, horizontal: boolean): void {
  const r = (size - 1) >> 1;
  const n = horizontal ? w : h; const lines = horizontal ? h : w;
  const step = horizontal ? 1 : w; const lineStep = horizontal ? w : 1;
  const inv = 1 / size;
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    const at = (i: number) => src[base + Math.min(n - 1, Math.max(0, i)) * step];
    let acc = 0;
    for (let i = -r; i <= r; i++) acc += at(i);
    for (let i = 0; i < n; i++) {
      dst[base + i * step] = acc * inv;
      acc += at(i + r + 1) - at(i - r);
    }
  }
}

/**
 * Gaussian blur with OpenCV's sigma for a kernel of odd size `ksize`, approximated by three box
 * blurs (running sums: cost independent of the kernel size, so large images stay fast).
 */
export function gaussianBlur(src: Float32Array, w: number, h: number, ksize: number): Float32Array {
  const sigma = 0.3 * ((ksize - 1) * 0.5 - 1) + 0.8;
  const passes = 3;
  const ideal = Math.sqrt((12 * sigma * sigma) / passes + 1);
  let lower = Math.floor(ideal);
  if (lower % 2 === 0) lower--;
  const m = Math.round((12 * sigma * sigma - passes * lower * lower - 4 * passes * lower - 3 * passes) / (-4 * lower - 4));
  const a = Float32Array.from(src); const b = new Float32Array(src.length);
  for (let k = 0; k < passes; k++) {
    const size = k < m ? lower : lower + 2;
    boxPass(a, b, w, h, size, true);
    boxPass(b, a, w, h, size, false);
  }
  return a;
}

function toSoft(m: BinaryMask): SoftMask {
  const data = new Float32Array(m.data.length);
  for (let i = 0; i < data.length; i++) data[i] = m.data[i];
  return { width: m.width, height: m.height, data };
}

/**
 * AnimatedDrawings' segmentation: min channel, adaptive Gaussian threshold (block 115, C 8) inverted,
 * close ×2 and dilate ×2 (3×3), fill what the border flood fill cannot reach, largest component.
 * Then (our addition) the 2 px the dilation added outside the outline are taken back, keeping the
 * ink strokes themselves, so the mask hugs the drawn outline.
 */
export function segmentDrawing(img: RasterImage): SoftMask {
  const { width: w, height: h } = img;
  const gray = minChannel(img);
  const block = 115;
  const mean = gaussianBlur(gray, w, h, block);
  const ink = new Uint8Array(w * h);
  for (let i = 0; i < ink.length; i++) ink[i] = gray[i] <= mean[i] - 8 ? 1 : 0;
  const inkMask: BinaryMask = { width: w, height: h, data: ink };
  let m = morph3x3(morph3x3(inkMask, 'dilate'), 'dilate');
  m = morph3x3(morph3x3(m, 'erode'), 'erode');
  m = morph3x3(morph3x3(m, 'dilate'), 'dilate');
  const filled = fillHoles(m);
  const inner = erode(filled, 2);
  const data = new Uint8Array(w * h);
  for (let i = 0; i < data.length; i++) data[i] = filled.data[i] & (inner.data[i] | ink[i]);
  return toSoft(fillHoles(largestComponent({ width: w, height: h, data })));
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
