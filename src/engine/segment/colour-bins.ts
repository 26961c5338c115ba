/**
 * Colour histograms at 16 levels a channel, for telling a part's colours from those round it (props,
 * ground at the feet, the person model's unsure outline). Pure.
 */
import type { RasterImage } from '../types.js';

const BITS = 4;
const LEVELS = 1 << BITS;
/** How many bins a histogram has. */
export const COLOUR_BINS = 1 << (3 * BITS);

/** The bin of pixel p's colour. */
export function colourBin(img: RasterImage, p: number): number {
  const c = img.channels; const s = 8 - BITS;
  return ((img.data[p * c] >> s) << (2 * BITS)) | ((img.data[p * c + 1] >> s) << BITS) | (img.data[p * c + 2] >> s);
}

/** Share of the masked pixels per colour bin (all 0 when the mask is empty). */
export function colourShares(img: RasterImage, m: Uint8Array): Float32Array {
  const hist = new Float32Array(COLOUR_BINS);
  let total = 0;
  for (let p = 0; p < m.length; p++) if (m[p]) { hist[colourBin(img, p)]++; total++; }
  if (total > 0) for (let i = 0; i < hist.length; i++) hist[i] /= total;
  return hist;
}

/** Per bin, the largest ('max') or the mean ('mean') of it and its 26 neighbours: a shade off is the same colour. */
export function overNeighbourBins(shares: Float32Array, combine: 'max' | 'mean'): Float32Array {
  const out = new Float32Array(shares.length);
  for (let r = 0; r < LEVELS; r++) {
    for (let g = 0; g < LEVELS; g++) {
      for (let b = 0; b < LEVELS; b++) {
        let m = 0, sum = 0, k = 0;
        for (let dr = -1; dr <= 1; dr++) {
          for (let dg = -1; dg <= 1; dg++) {
            for (let db = -1; db <= 1; db++) {
              const rr = r + dr; const gg = g + dg; const bb = b + db;
              if (rr < 0 || gg < 0 || bb < 0 || rr >= LEVELS || gg >= LEVELS || bb >= LEVELS) continue;
              const v = shares[(rr << (2 * BITS)) | (gg << BITS) | bb];
              m = Math.max(m, v); sum += v; k++;
            }
          }
        }
        out[(r << (2 * BITS)) | (g << BITS) | b] = combine === 'max' ? m : sum / k;
      }
    }
  }
  return out;
}
