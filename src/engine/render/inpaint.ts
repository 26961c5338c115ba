/**
 * Clean plate by exemplar inpainting: the hole is filled with patches of the image's own known
 * pixels (PatchMatch + Wexler voting, coarse to fine), so a wall keeps its grain and a floor its
 * pattern where a membrane would leave a smooth blob. The coarsest level starts from an
 * onion-peel fill; each finer level starts from the coarser match field, doubled. The search runs only up to
 * ~SEARCH_PIXELS; finer levels just carry the field up and vote once, which restores full-resolution
 * texture at a fraction of the cost.
 */
import type { BinaryMask } from '../segment/mask.js';
import type { RasterImage } from '../types.js';
import { membraneFillLevel } from './membrane.js';
import { OVERHANG, R, onionPeelInit, randomSource, refreshDistances, searchNnf, targetsOf, validCentres, vote, type Nnf, type PatchLevel } from './patchmatch.js';

export interface InpaintOptions {
  /** Known pixels that may serve as source patches (default: all known pixels). */
  source?: BinaryMask;
}

/** Pixel budget of the finest level that is searched; finer levels only vote. */
const SEARCH_PIXELS = 160_000;
/** The coarsest level's short side. */
const MIN_SIDE = 32;
/** Largest colour step the edge correction makes (0..255). */
const MAX_CORRECTION = 40;

interface Level extends PatchLevel { allowed: Uint8Array }

function downsample(l: Level): Level {
  const w = Math.ceil(l.w / 2); const h = Math.ceil(l.h / 2); const c = l.c;
  const val = new Float32Array(w * h * c);
  const hole = new Uint8Array(w * h);
  const allowed = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let n = 0; let anyHole = 0; let allAllowed = 1;
      const q = y * w + x;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const sx = Math.min(l.w - 1, 2 * x + dx); const sy = Math.min(l.h - 1, 2 * y + dy);
          const p = sy * l.w + sx;
          if (l.hole[p]) { anyHole = 1; continue; }
          allAllowed &= l.allowed[p];
          n++;
          for (let ch = 0; ch < c; ch++) val[q * c + ch] += l.val[p * c + ch];
        }
      }
      if (n > 0) for (let ch = 0; ch < c; ch++) val[q * c + ch] /= n;
      hole[q] = anyHole;
      allowed[q] = anyHole ? 0 : allAllowed;
    }
  }
  return { w, h, c, val, hole, allowed, valid: validCentres(w, h, allowed) };
}

function listOf(mask: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  const out = new Int32Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

function newNnf(l: Level): Nnf {
  const { targets, index } = targetsOf(l);
  return { targets, index, src: new Int32Array(targets.length), dist: new Float32Array(targets.length) };
}

function randomInit(f: Nnf, validList: Int32Array, rand: () => number): void {
  for (let k = 0; k < f.targets.length; k++) f.src[k] = validList[Math.floor(rand() * validList.length)];
}

/**
 * The valid source centre nearest (x, y) within a few pixels, or -1. Doubling a coarse match can
 * land just outside the valid area (next to the hole, or over the image's edge).
 */
function nearestValid(l: Level, x: number, y: number): number {
  const edge = R - OVERHANG;
  const cx = Math.min(l.w - 1 - edge, Math.max(edge, x)); const cy = Math.min(l.h - 1 - edge, Math.max(edge, y));
  for (let r = 0; r <= 3; r++) {
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        if (Math.max(Math.abs(dx), Math.abs(dy)) !== r) continue;
        const sx = cx + dx; const sy = cy + dy;
        if (sx < 0 || sy < 0 || sx >= l.w || sy >= l.h) continue;
        if (l.valid[sy * l.w + sx]) return sy * l.w + sx;
      }
    }
  }
  return -1;
}

/** The coarse field doubled: each fine target takes its parent's source, offset by its position in the parent. */
function upsampleNnf(coarse: Level, cf: Nnf, fine: Level, ff: Nnf, validList: Int32Array, rand: () => number): void {
  for (let k = 0; k < ff.targets.length; k++) {
    const t = ff.targets[k];
    const x = t % fine.w; const y = (t - x) / fine.w;
    const cx = Math.min(coarse.w - 1, x >> 1); const cy = Math.min(coarse.h - 1, y >> 1);
    const j = cf.index[cy * coarse.w + cx];
    let s = -1;
    if (j >= 0) {
      const cs = cf.src[j]; const csx = cs % coarse.w; const csy = (cs - csx) / coarse.w;
      s = nearestValid(fine, 2 * csx + (x & 1), 2 * csy + (y & 1));
    }
    ff.src[k] = s >= 0 ? s : validList[Math.floor(rand() * validList.length)];
  }
}

interface Rect { x0: number; y0: number; x1: number; y1: number }

function boundsOf(m: BinaryMask, also?: BinaryMask): Rect | null {
  const { width: w, height: h, data } = m;
  let x0 = w; let y0 = h; let x1 = -1; let y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (!data[y * w + x] || (also && !also.data[y * w + x])) continue;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/**
 * Rectangle around the hole with room for source texture (and holding the allowed sources, when
 * they are given); null when there is no hole.
 */
function workRegion(hole: BinaryMask, source?: BinaryMask): Rect | null {
  const b = boundsOf(hole);
  if (!b) return null;
  const margin = Math.max(4 * R, Math.round(0.5 * Math.max(b.x1 - b.x0 + 1, b.y1 - b.y0 + 1)));
  const r = {
    x0: Math.max(0, b.x0 - margin), y0: Math.max(0, b.y0 - margin),
    x1: Math.min(hole.width - 1, b.x1 + margin), y1: Math.min(hole.height - 1, b.y1 + margin),
  };
  const s = source ? boundsOf(source) : null;
  if (s) { r.x0 = Math.min(r.x0, s.x0); r.y0 = Math.min(r.y0, s.y0); r.x1 = Math.max(r.x1, s.x1); r.y1 = Math.max(r.y1, s.y1); }
  return r;
}

export function inpaint(img: RasterImage, hole: BinaryMask, options: InpaintOptions = {}): RasterImage {
  const region = workRegion(hole, options.source);
  const { width: iw, channels: c } = img;
  const out: RasterImage = { ...img, data: Uint8Array.from(img.data) };
  if (!region) return out;
  const w = region.x1 - region.x0 + 1; const h = region.y1 - region.y0 + 1;
  const base: Level = {
    w, h, c, val: new Float32Array(w * h * c), hole: new Uint8Array(w * h), allowed: new Uint8Array(w * h), valid: new Uint8Array(0),
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = (region.y0 + y) * iw + region.x0 + x; const q = y * w + x;
      for (let ch = 0; ch < c; ch++) base.val[q * c + ch] = img.data[p * c + ch];
      base.hole[q] = hole.data[p] ? 1 : 0;
      base.allowed[q] = !base.hole[q] && (!options.source || options.source.data[p]) ? 1 : 0;
    }
  }
  base.valid = validCentres(w, h, base.allowed);
  if (!fillLevels(base)) {
    // No source patch anywhere: the smooth membrane of the allowed pixels is the best left.
    const known = new Uint8Array(w * h);
    for (let q = 0; q < known.length; q++) known[q] = base.allowed[q];
    if (!membraneFillLevel({ w, h, c, val: base.val, known })) return out;
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const q = y * w + x;
      if (!base.hole[q]) continue;
      const p = (region.y0 + y) * iw + region.x0 + x;
      for (let ch = 0; ch < c; ch++) out.data[p * c + ch] = Math.min(255, Math.max(0, Math.round(base.val[q * c + ch])));
    }
  }
  return out;
}

/** Coarse-to-fine exemplar fill of `base` in place; false when no source patch exists. */
function fillLevels(base: Level): boolean {
  const levels: Level[] = [base];
  for (;;) {
    const top = levels[levels.length - 1];
    if (Math.min(top.w, top.h) / 2 < MIN_SIDE) break;
    const next = downsample(top);
    if (countOf(next.valid) < 16) break;
    levels.push(next);
  }
  const validLists = levels.map((l) => listOf(l.valid));
  if (validLists[0].length === 0) return false;
  const rand = randomSource(0x5eed);
  const top = levels.length - 1;
  let prev: Nnf | null = null;
  let correction: { level: Level; diff: Float32Array } | null = null;
  for (let i = top; i >= 0; i--) {
    const l = levels[i];
    const f = newNnf(l);
    const holes = listOf(l.hole);
    const searched = l.w * l.h <= SEARCH_PIXELS || i === top;
    if (i === top) {
      onionPeelInit(l, validLists[i]);
      randomInit(f, validLists[i], rand);
    } else {
      if (!prev) throw new Error('inpaint: finer level without a coarser field');
      upsampleNnf(levels[i + 1], prev, l, f, validLists[i], rand);
      // Levels that are not searched vote over 3×3 only: the doubled field is coherent there.
      vote(l, f, holes, true, searched ? R : 1);
    }
    if (searched) {
      const window = Math.max(l.w, l.h);
      const iterations = i === top ? 6 : 3;
      for (let it = 0; it < iterations; it++) {
        refreshDistances(l, f);
        searchNnf(l, f, i === top ? 2 : 1, window, rand);
        vote(l, f, holes, false);
      }
      const diff = boundaryMismatch(l, f);
      correction = diff ? { level: l, diff } : null;
    }
    prev = f;
  }
  if (correction) addCorrection(base, correction.level, correction.diff);
  return true;
}

/** The correction, bilinearly enlarged from its level to the base, added to the hole pixels. */
function addCorrection(base: Level, l: Level, diff: Float32Array): void {
  const c = base.c;
  const k = base.w / l.w;
  for (let y = 0; y < base.h; y++) {
    const ly = Math.min(l.h - 1, Math.max(0, (y + 0.5) / k - 0.5));
    const y0 = Math.floor(ly); const y1 = Math.min(l.h - 1, y0 + 1); const fy = ly - y0;
    for (let x = 0; x < base.w; x++) {
      const p = y * base.w + x;
      if (!base.hole[p]) continue;
      const lx = Math.min(l.w - 1, Math.max(0, (x + 0.5) / k - 0.5));
      const x0 = Math.floor(lx); const x1 = Math.min(l.w - 1, x0 + 1); const fx = lx - x0;
      for (let ch = 0; ch < c; ch++) {
        const a = diff[(y0 * l.w + x0) * c + ch]; const b = diff[(y0 * l.w + x1) * c + ch];
        const d = diff[(y1 * l.w + x0) * c + ch]; const e = diff[(y1 * l.w + x1) * c + ch];
        base.val[p * c + ch] += (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
      }
    }
  }
}

/**
 * Seamless edge: what the patches predict for the known pixels around the hole differs a little
 * from what is there (a lighting gradient the copied patches do not follow). That difference is
 * spread smoothly over the hole (a membrane of the mismatch, as in Poisson blending) and later
 * added, so the fill meets its surroundings without a step while keeping the patches' texture. It
 * is solved on the finest searched level (it is smooth) and clamped, so one odd pixel on the edge
 * cannot spread a blob. Only allowed source pixels count: a fill restricted to the torso's cloth
 * must not turn the colour of the arm beside it.
 */
function boundaryMismatch(l: Level, f: Nnf): Float32Array | null {
  const { w, h, c } = l;
  const band: number[] = [];
  for (const t of f.targets) if (!l.hole[t] && l.allowed[t]) band.push(t);
  if (band.length === 0) return null;
  const bandList = Int32Array.from(band);
  const predicted = new Float32Array(l.val.length);
  vote(l, f, bandList, false, R, predicted);
  const diff = new Float32Array(l.val.length);
  const known = new Uint8Array(w * h);
  for (const p of bandList) {
    known[p] = 1;
    for (let ch = 0; ch < c; ch++) {
      const d = l.val[p * c + ch] - predicted[p * c + ch];
      diff[p * c + ch] = Math.max(-MAX_CORRECTION, Math.min(MAX_CORRECTION, d));
    }
  }
  if (!membraneFillLevel({ w, h, c, val: diff, known })) return null;
  return diff;
}

function countOf(m: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < m.length; i++) n += m[i];
  return n;
}
