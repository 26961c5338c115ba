/**
 * Sub-pixel translation of an image region between two frames: Lucas–Kanade (forward additive,
 * Gauss–Newton) on a two-level pyramid, with robust weights (a limb crossing the region, a swinging
 * ponytail do not pull it) and a pull towards a guess (the keypoints' motion), which decides the
 * directions the region has no texture in (a plain shirt, the vertical pleats of a skirt).
 */

/** Luma, one byte per pixel, row-major. */
export interface GreyImage { width: number; height: number; data: Uint8Array }

interface Level { width: number; height: number; v: Float32Array; gx: Float32Array; gy: Float32Array }

/** A region in the grey image's pixels, [x0, x1) × [y0, y1), with pixels to leave out (true = out). */
export interface Region { x0: number; y0: number; x1: number; y1: number; exclude?: (x: number, y: number) => boolean }

export interface Shift { dx: number; dy: number }

/** Residual scale of the robust weights (grey levels): a residual of this size weighs half. */
const ROBUST_SCALE = 10;
/** Pull towards the guess, per pixel, in (grey levels per pixel)²: a direction whose mean squared gradient is below this follows the guess. */
const PRIOR = 0.5;
/** A match whose weighted mean absolute residual is above this (grey levels) is no match. */
const MAX_RESIDUAL = 14;
const ITERATIONS = 12;
const MIN_PIXELS = 48;

function level(width: number, height: number, v: Float32Array): Level {
  const gx = new Float32Array(width * height), gy = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const xl = x > 0 ? i - 1 : i, xr = x < width - 1 ? i + 1 : i;
      const yu = y > 0 ? i - width : i, yd = y < height - 1 ? i + width : i;
      gx[i] = (v[xr] - v[xl]) / (xr - xl || 1);
      gy[i] = (v[yd] - v[yu]) / ((yd - yu) / width || 1);
    }
  }
  return { width, height, v, gx, gy };
}

/** The two pyramid levels of an image: full and half size (2×2 means). */
export function pyramid(img: GreyImage): [Level, Level] {
  const full = new Float32Array(img.data);
  const w = img.width >> 1, h = img.height >> 1;
  const half = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = 2 * y * img.width + 2 * x;
      half[y * w + x] = (full[i] + full[i + 1] + full[i + img.width] + full[i + img.width + 1]) / 4;
    }
  }
  return [level(img.width, img.height, full), level(w, h, half)];
}

/** Bilinear sample of `f` at (x, y), clamped to the image. */
function sample(l: Level, f: Float32Array, x: number, y: number): number {
  const cx = Math.min(Math.max(x, 0), l.width - 1.001), cy = Math.min(Math.max(y, 0), l.height - 1.001);
  const x0 = Math.floor(cx), y0 = Math.floor(cy), fx = cx - x0, fy = cy - y0, i = y0 * l.width + x0;
  return (f[i] * (1 - fx) + f[i + 1] * fx) * (1 - fy) + (f[i + l.width] * (1 - fx) + f[i + l.width + 1] * fx) * fy;
}

/** One level's Gauss–Newton from `start`; null where the region is too small or does not match. */
function refine(a: Level, b: Level, r: Region, scale: number, start: Shift, guess: Shift): Shift | null {
  const x0 = Math.max(1, Math.floor(r.x0 / scale)), x1 = Math.min(a.width - 1, Math.ceil(r.x1 / scale));
  const y0 = Math.max(1, Math.floor(r.y0 / scale)), y1 = Math.min(a.height - 1, Math.ceil(r.y1 / scale));
  const px: number[] = [];
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (!r.exclude?.(x * scale, y * scale)) px.push(y * a.width + x);
  if (px.length < MIN_PIXELS / (scale * scale)) return null;
  let dx = start.dx, dy = start.dy, residual = Infinity;
  for (let it = 0; it < ITERATIONS; it++) {
    let h00 = 0, h01 = 0, h11 = 0, g0 = 0, g1 = 0, sw = 0, se = 0;
    for (const i of px) {
      const x = (i % a.width) + dx, y = Math.floor(i / a.width) + dy;
      const e = sample(b, b.v, x, y) - a.v[i];
      const w = 1 / (1 + (e / ROBUST_SCALE) ** 2);
      const bx = sample(b, b.gx, x, y), by = sample(b, b.gy, x, y);
      h00 += w * bx * bx; h01 += w * bx * by; h11 += w * by * by;
      g0 += w * bx * e; g1 += w * by * e; sw += w; se += w * Math.abs(e);
    }
    residual = se / sw;
    const lambda = PRIOR * sw;
    const a00 = h00 + lambda, a11 = h11 + lambda;
    const r0 = -g0 - lambda * (dx - guess.dx), r1 = -g1 - lambda * (dy - guess.dy);
    const det = a00 * a11 - h01 * h01;
    if (!(det > 0)) return null;
    const ddx = (a11 * r0 - h01 * r1) / det, ddy = (a00 * r1 - h01 * r0) / det;
    dx += ddx; dy += ddy;
    if (Math.hypot(ddx, ddy) < 0.01) break;
  }
  return residual <= MAX_RESIDUAL && Number.isFinite(dx) && Number.isFinite(dy) ? { dx, dy } : null;
}

/**
 * The translation taking region `r` of `a` onto `b` (b(p + shift) ≈ a(p)), starting from and pulled
 * towards `guess`; null where the region is too small or the frames do not match there.
 */
export function regionShift(a: [Level, Level], b: [Level, Level], r: Region, guess: Shift): Shift | null {
  const coarse = refine(a[1], b[1], r, 2, { dx: guess.dx / 2, dy: guess.dy / 2 }, { dx: guess.dx / 2, dy: guess.dy / 2 });
  const start = coarse ? { dx: 2 * coarse.dx, dy: 2 * coarse.dy } : guess;
  return refine(a[0], b[0], r, 1, start, guess);
}
