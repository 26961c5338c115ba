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

/**
 * RGBA Float32: colour 0..255 premultiplied by alpha, alpha 0..1 (the soft mask). With the
 * background, the colour is the estimated foreground colour, so the edge carries no old background.
 */
export function makeCharacterTexture(img: RasterImage, alpha: SoftMask, background?: RasterImage): PremultipliedTexture {
  const n = img.width * img.height;
  const data = new Float32Array(n * 4);
  if (background) {
    const fg = estimateForeground(img, alpha, background);
    for (let p = 0; p < n; p++) {
      const a = alpha.data[p];
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
