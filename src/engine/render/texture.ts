/**
 * The character's texture: its foreground colour premultiplied by its soft mask. At the soft edge a
 * pixel is a mix of character and background (I = aF + (1 - a)B); drawing it as it is elsewhere
 * would carry a rim of the old background along (a halo). Given the background (the clean plate),
 * F is solved per edge pixel from that equation, regularised by its neighbours (a smoothness term
 * that carries the inside colour out where a is small), by Gauss–Seidel sweeps over the edge band,
 * as in fast multi-level foreground estimation (Germer et al. 2020) with B known.
 */
import type { RasterImage, SoftMask } from '../types.js';
import type { PremultipliedTexture } from './raster.js';

/** Alpha at or above which a pixel is taken as it is. */
const OPAQUE = 0.999;
/** Weight of each neighbour's F against the data term (colours 0..1, alpha² weights the data). */
const SMOOTHNESS = 0.02;
/** Edge-band width (px) outside the opaque region that is solved; sweeps enough to cross it. */
const BAND = 4;
const SWEEPS = 8;

/** Foreground colour per pixel (RGB floats 0..255): the image where opaque, solved at the edge. */
export function estimateForeground(img: RasterImage, alpha: SoftMask, background: RasterImage): Float32Array {
  const { width: w, height: h, channels: c } = img;
  const n = w * h;
  const fg = new Float32Array(n * 3);
  for (let p = 0; p < n; p++) for (let ch = 0; ch < 3; ch++) fg[p * 3 + ch] = img.data[p * c + ch];
  // The band: translucent pixels within BAND px (chessboard) of an opaque one, found by BAND dilations.
  const dist = new Uint8Array(n).fill(255);
  for (let p = 0; p < n; p++) if (alpha.data[p] >= OPAQUE) dist[p] = 0;
  for (let step = 1; step <= BAND; step++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const p = y * w + x;
        if (dist[p] !== 255) continue;
        const near = (x > 0 && dist[p - 1] === step - 1) || (x < w - 1 && dist[p + 1] === step - 1)
          || (y > 0 && dist[p - w] === step - 1) || (y < h - 1 && dist[p + w] === step - 1);
        if (near) dist[p] = step;
      }
    }
  }
  const band: number[] = [];
  for (let p = 0; p < n; p++) if (dist[p] > 0 && dist[p] <= BAND) band.push(p);
  // Start the band from the nearest inside colour, ring by ring, so the sweeps start close.
  for (let step = 1; step <= BAND; step++) {
    for (const p of band) {
      if (dist[p] !== step) continue;
      const x = p % w; const y = (p - x) / w;
      let k = 0; const acc = [0, 0, 0];
      for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1]) {
        if (q < 0 || dist[q] !== step - 1) continue;
        k++; for (let ch = 0; ch < 3; ch++) acc[ch] += fg[q * 3 + ch];
      }
      if (k > 0) for (let ch = 0; ch < 3; ch++) fg[p * 3 + ch] = acc[ch] / k;
    }
  }
  const bc = background.channels;
  for (let s = 0; s < SWEEPS; s++) {
    for (let i = 0; i < band.length; i++) {
      const p = band[(s & 1) === 0 ? i : band.length - 1 - i];
      const a = Math.min(1, Math.max(0, alpha.data[p]));
      const x = p % w; const y = (p - x) / w;
      let k = 0; const acc = [0, 0, 0];
      for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1]) {
        if (q < 0 || dist[q] > BAND) continue;
        k++; for (let ch = 0; ch < 3; ch++) acc[ch] += fg[q * 3 + ch];
      }
      const denom = a * a + SMOOTHNESS * k;
      if (denom <= 0) continue;
      for (let ch = 0; ch < 3; ch++) {
        const data = a * (img.data[p * c + ch] - (1 - a) * background.data[p * bc + ch]);
        fg[p * 3 + ch] = Math.min(255, Math.max(0, (data + SMOOTHNESS * acc[ch]) / denom));
      }
    }
  }
  return fg;
}

/** Rings (px) searched outside the soft mask for the rest of a blurred edge. */
const WIDEN_RINGS = 3;
/** Below this colour distance (0..255, RGB) between character and background, alpha cannot be told. */
const MIN_CONTRAST = 40;
/** A pixel further than this (RGB) from the line between the two colours is something else. */
const MAX_RESIDUAL = 14;

/** Visits the 8 neighbours of p inside a w×h image (rings by chessboard distance, so a diagonal edge is reached as far). */
function neighbours8(p: number, w: number, h: number, visit: (q: number) => void): void {
  const x = p % w; const y = (p - x) / w;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx, yy = y + dy;
      if ((dx !== 0 || dy !== 0) && xx >= 0 && yy >= 0 && xx < w && yy < h) visit(yy * w + xx);
    }
  }
}

/**
 * Where pixel p lies along the line from the plate's colour B to the character colour `f` (the
 * unclamped alpha of I = aF + (1 − a)B), or null where F and B are too alike to tell.
 */
function alphaAlongLine(img: RasterImage, p: number, f: number[], background: RasterImage): number | null {
  const c = img.channels, bc = background.channels;
  let fb = 0, ib = 0;
  for (let ch = 0; ch < 3; ch++) {
    const dF = f[ch] - background.data[p * bc + ch];
    fb += dF * dF; ib += (img.data[p * c + ch] - background.data[p * bc + ch]) * dF;
  }
  return fb < MIN_CONTRAST * MIN_CONTRAST ? null : ib / fb;
}

/** Whether pixel p is explained by alpha `a` between the plate and `f` (near the line between them). */
function nearLine(img: RasterImage, p: number, f: number[], background: RasterImage, a: number): boolean {
  const c = img.channels, bc = background.channels;
  let res = 0;
  for (let ch = 0; ch < 3; ch++) {
    const b = background.data[p * bc + ch];
    const e = img.data[p * c + ch] - (b + a * (f[ch] - b));
    res += e * e;
  }
  return res <= 3 * MAX_RESIDUAL * MAX_RESIDUAL;
}

/**
 * The soft mask carried out over the rest of a blurred edge (hair against the sky, a defocused arm):
 * a segmentation model's mask ends sharper than the picture's edge, and the plate fills what lies
 * beyond it, so the character would be cut out harder than it looks. Ring by ring outside the mask,
 * the character's colour is carried out from inside (`fg` is updated there) and the pixel's alpha is
 * solved from I = aF + (1 − a)B with the plate as B, where F and B differ enough to tell, the pixel
 * lies near the line between them, and never above the alpha of the ring inside it.
 */
export function widenAlpha(img: RasterImage, alpha: SoftMask, fg: Float32Array, background: RasterImage): Float32Array {
  const { width: w, height: h } = img;
  const out = Float32Array.from(alpha.data);
  const ring = new Uint8Array(w * h).fill(255);
  for (let p = 0; p < w * h; p++) if (out[p] > 0.02) ring[p] = 0;
  // Ring by ring from the mask's border outwards: only pixels next to the last ring are looked at.
  let frontier: number[] = [];
  for (let p = 0; p < w * h; p++) {
    if (ring[p] !== 0) continue;
    let edge = false;
    neighbours8(p, w, h, (q) => { if (ring[q] === 255) edge = true; });
    if (edge) frontier.push(p);
  }
  const f = [0, 0, 0];
  for (let r = 1; r <= WIDEN_RINGS; r++) {
    const found: number[] = [];
    for (const p0 of frontier) neighbours8(p0, w, h, (q) => { if (ring[q] === 255) { ring[q] = 254; found.push(q); } });
    for (const p of found) {
      let k = 0, inner = 0;
      f[0] = 0; f[1] = 0; f[2] = 0;
      neighbours8(p, w, h, (q) => {
        if (ring[q] !== r - 1) return;
        k++; inner = Math.max(inner, out[q]);
        for (let ch = 0; ch < 3; ch++) f[ch] += fg[q * 3 + ch];
      });
      for (let ch = 0; ch < 3; ch++) { f[ch] /= k; fg[p * 3 + ch] = f[ch]; }
      const along = alphaAlongLine(img, p, f, background);
      if (along === null) continue;
      const a = Math.min(inner, Math.max(0, along));
      if (nearLine(img, p, f, background, a) && a > 0.02) out[p] = a;
    }
    for (const p of found) ring[p] = r;
    frontier = found;
  }
  return out;
}

/** Rings narrowed everywhere. */
const NARROW_RINGS = 6;
/**
 * Behind an outline that is mostly background (a blur's outer end), up to 1 ring per 60 px of the
 * picture's short side (18 in a 1080p frame, where a fast arm's blur is 15–30 px wide).
 */
const NARROW_RINGS_PER_PX = 1 / 60;
/** An outline pixel solved to at most this alpha is the outer end of a blur. */
const BLURRED_OUTLINE = 0.25;
/** Alpha is lowered only where the picture says clearly less than the mask (not for rounding). */
const NARROW_MARGIN = 0.15;

/** Chessboard depth inside the mask (1 at its outline, up to `count` + 1; 0 deeper and outside), and the pixels of each ring. */
interface Rings { depth: Uint8Array; rings: number[][] }

function ringsOf(alpha: Float32Array, w: number, h: number, count: number): Rings {
  const depth = new Uint8Array(w * h);
  const inside = (p: number) => alpha[p] > 0.02;
  const rings: number[][] = [];
  let frontier: number[] = [];
  for (let p = 0; p < w * h; p++) {
    if (!inside(p)) continue;
    // (The picture's own border is no outline: a half-body figure is cut off there.)
    let edge = false;
    neighbours8(p, w, h, (q) => { if (!inside(q)) edge = true; });
    if (edge) { depth[p] = 1; frontier.push(p); }
  }
  rings.push(frontier);
  for (let r = 2; r <= count + 1 && frontier.length > 0; r++) {
    const next: number[] = [];
    for (const p of frontier) neighbours8(p, w, h, (q) => { if (inside(q) && depth[q] === 0) { depth[q] = r; next.push(q); } });
    rings.push(next);
    frontier = next;
  }
  return { depth, rings };
}

/** The outer `ringCount` rings (of `rings`, found at least one deeper) narrowed (see narrowAlpha); `fg` is not changed, the result's is. */
function narrowRings(img: RasterImage, alpha: Float32Array, fg0: Float32Array, background: RasterImage,
  { depth, rings }: Rings, ringCount: number): { alpha: Float32Array; fg: Float32Array } {
  const { width: w, height: h } = img;
  const out = Float32Array.from(alpha);
  const fg = Float32Array.from(fg0);
  const f = [0, 0, 0];
  // The character's colour carried out ring by ring: also through pixels left as they were (their
  // alpha within the margin), or a wide blur would carry its own mixed colour out from its inner rings.
  const carried = Float32Array.from(fg);
  for (let r = Math.min(ringCount, rings.length - 1); r >= 1; r--) {
    for (const p of rings[r - 1]) {
      let k = 0, inner = 0;
      f[0] = 0; f[1] = 0; f[2] = 0;
      neighbours8(p, w, h, (q) => {
        if (depth[q] !== r + 1) return;
        k++; inner = Math.max(inner, out[q]);
        for (let ch = 0; ch < 3; ch++) f[ch] += carried[q * 3 + ch];
      });
      if (k === 0) continue;
      for (let ch = 0; ch < 3; ch++) f[ch] /= k;
      const along = alphaAlongLine(img, p, f, background);
      if (along === null) continue;
      const a = Math.max(0, Math.min(1, along));
      if (!nearLine(img, p, f, background, a)) continue;
      for (let ch = 0; ch < 3; ch++) carried[p * 3 + ch] = f[ch];
      const lowered = Math.min(inner, a);
      if (lowered < out[p] - NARROW_MARGIN) {
        out[p] = lowered;
        for (let ch = 0; ch < 3; ch++) fg[p * 3 + ch] = f[ch];
      }
    }
  }
  return { alpha: out, fg };
}

/**
 * The soft mask narrowed over the outer rings of a blurred edge: a person model's mask often runs on
 * to where the picture's edge is already mostly background (a motion-blurred arm against a bright
 * wall), and drawn as opaque those pixels are a rim of the old background carried over the new one.
 * From inside out, each ring's character colour is carried from the ring inside it (`fg` is updated
 * there), and where the pixel lies on the line between that colour and the plate's, its alpha is
 * solved from I = aF + (1 − a)B. Alpha only ever goes down (where the picture says clearly less),
 * and never above the ring inside it. Over the outer 6 rings everywhere; deeper (as deep as a blur in
 * a picture this large can be) only behind an outline that is itself mostly background: a sharp
 * edge's shading would otherwise read as blur, and a pale forearm against white clouds turn glassy.
 */
export function narrowAlpha(img: RasterImage, alpha: Float32Array, fg: Float32Array, background: RasterImage): Float32Array {
  const { width: w, height: h } = img;
  const ringCount = Math.max(NARROW_RINGS, Math.round(NARROW_RINGS_PER_PX * Math.min(w, h)));
  const rings = ringsOf(alpha, w, h, ringCount);
  const shallow = narrowRings(img, alpha, fg, background, rings, NARROW_RINGS);
  if (ringCount > NARROW_RINGS) {
    const deep = narrowRings(img, alpha, fg, background, rings, ringCount);
    // Blurred: outline pixels the deep pass solved to almost nothing, and inwards, ring by ring, the
    // pixels most of whose outer neighbours are blurred.
    const blurred = new Uint8Array(w * h);
    for (const p of rings.rings[0]) if (deep.alpha[p] <= BLURRED_OUTLINE) blurred[p] = 1;
    for (let r = 2; r <= ringCount && r <= rings.rings.length; r++) {
      for (const p of rings.rings[r - 1]) {
        let outer = 0, hits = 0;
        neighbours8(p, w, h, (q) => { if (rings.depth[q] === r - 1) { outer++; hits += blurred[q]; } });
        if (outer > 0 && 2 * hits >= outer) blurred[p] = 1;
      }
    }
    for (let p = 0; p < w * h; p++) {
      if (!blurred[p]) continue;
      shallow.alpha[p] = deep.alpha[p];
      for (let ch = 0; ch < 3; ch++) shallow.fg[p * 3 + ch] = deep.fg[p * 3 + ch];
    }
  }
  fg.set(shallow.fg);
  return shallow.alpha;
}

/**
 * RGBA Float32: colour 0..255 premultiplied by alpha, alpha 0..1 (the soft mask). With the
 * background, the colour is the estimated foreground colour, so the edge carries no old background.
 */
export function makeCharacterTexture(img: RasterImage, alpha: SoftMask, background?: RasterImage): PremultipliedTexture {
  const n = img.width * img.height;
  const data = new Float32Array(n * 4);
  if (background) {
    const fg = estimateForeground(img, alpha, background);
    const narrow = narrowAlpha(img, alpha.data, fg, background);
    const wide = widenAlpha(img, { ...alpha, data: narrow }, fg, background);
    for (let p = 0; p < n; p++) {
      const a = wide[p];
      const d = p * 4; const s = p * 3;
      data[d] = fg[s] * a; data[d + 1] = fg[s + 1] * a; data[d + 2] = fg[s + 2] * a; data[d + 3] = a;
    }
    return { width: img.width, height: img.height, data };
  }
  const c = img.channels;
  for (let p = 0; p < n; p++) {
    const a = alpha.data[p];
    const s = p * c; const d = p * 4;
    data[d] = img.data[s] * a; data[d + 1] = img.data[s + 1] * a; data[d + 2] = img.data[s + 2] * a; data[d + 3] = a;
  }
  return { width: img.width, height: img.height, data };
}
