/**
 * The person model's unsure pixels decided by colour. The model sees 256 px: its mask runs soft over
 * a band at the outline, where a chunk of sky beside a hair bun can read 0.6 and the bun itself 0.4.
 * There the picture's colours say more: a pixel's probability is weighed by how common its colour is
 * on the surely-person pixels against the surely-background ones near the person (Bayes' rule with
 * the model's probability as the prior). Sure pixels, and unsure ones enclosed by the sure person,
 * are left as they are. Pure.
 */
import type { RasterImage, SoftMask } from '../types.js';
import { colourBin, colourShares, overNeighbourBins } from './colour-bins.js';
import { componentsWhere, pixelsOfComponents, squaredDistanceTo, type BinaryMask } from './mask.js';

/** Model probabilities within this of 0 or 1 are sure: the colour only decides between them. */
const SURE = 0.1;
/** The background is sampled within this share of the person's height of its outline. */
const NEAR = 0.15;
/** Sure background in a patch under this share of the person's sure area, enclosed, is a speck of the model's. */
const SPECK = 0.01;
/** Unsure pixels are reweighed only within this share of the person's height of wide background: the outline's band. */
const BAND = 0.1;
/** Every bin gets this share of a count. */
const PRIOR_COUNT = 0.5;
/** Each model's evidence is capped at this likelihood ratio (a colour alone never overrules it by more). */
const MAX_RATIO = 20;

/** The soft mask with its unsure band (SURE…1 − SURE) reweighed by the colours; the same object when there is nothing to weigh by. */
export function refineByColour(image: RasterImage, soft: SoftMask): SoftMask {
  const { width: w, height: h } = soft;
  if (image.width !== w || image.height !== h) return soft;
  const sure: BinaryMask = { width: w, height: h, data: new Uint8Array(w * h) };
  let y0 = h, y1 = -1;
  for (let p = 0; p < sure.data.length; p++) {
    if (soft.data[p] < 1 - SURE) continue;
    sure.data[p] = 1;
    const y = (p / w) | 0;
    if (y < y0) y0 = y; if (y > y1) y1 = y;
  }
  if (y1 < 0) return soft;
  const near = (NEAR * (y1 - y0 + 1)) ** 2;
  const d2 = squaredDistanceTo(sure, 1);
  const fgPixels = new Uint8Array(w * h), bgPixels = new Uint8Array(w * h);
  let nf = 0, nb = 0;
  for (let p = 0; p < sure.data.length; p++) {
    if (sure.data[p]) { fgPixels[p] = 1; nf++; } else if (soft.data[p] <= SURE && d2[p] <= near) { bgPixels[p] = 1; nb++; }
  }
  if (nf < 100 || nb < 100) return soft;
  // Every bin gets a small floor, so an unseen colour weighs neither way by chance.
  const fgLike = withFloor(overNeighbourBins(colourShares(image, fgPixels), 'mean'), PRIOR_COUNT / nf);
  const bgLike = withFloor(overNeighbourBins(colourShares(image, bgPixels), 'mean'), PRIOR_COUNT / nb);
  const background = wideBackground(soft, Math.max(64, SPECK * nf));
  const open = unsureBesideBackground(soft, background, y1 - y0 + 1);
  const data = Float32Array.from(soft.data);
  for (let p = 0; p < data.length; p++) {
    const prior = data[p];
    if (!open[p]) continue;
    const bin = colourBin(image, p);
    const ratio = Math.min(MAX_RATIO, Math.max(1 / MAX_RATIO, fgLike[bin] / bgLike[bin]));
    data[p] = (prior * ratio) / (prior * ratio + (1 - prior));
  }
  restoreEnclosed(soft, data, background);
  return { width: w, height: h, data };
}

/**
 * The colours never open a hole in the person: where pixels they turned to background (under 0.5)
 * lie in a patch of background that reaches no wide background, they take the model's values back.
 */
function restoreEnclosed(soft: SoftMask, data: Float32Array, background: Uint8Array): void {
  const { labels, sizes } = componentsWhere(soft.width, soft.height, (p) => data[p] < 0.5);
  const open = new Uint8Array(sizes.length);
  for (let p = 0; p < data.length; p++) if (background[p]) open[labels[p]] = 1;
  for (let p = 0; p < data.length; p++) if (labels[p] > 0 && !open[labels[p]]) data[p] = soft.data[p];
}

/**
 * The unsure pixels within 0.1 of the height of sure background, in a connected stretch that
 * touches it: the outline's band. An unsure patch inside the person (a glowing, see-through dress)
 * is the model's, whatever its colour: the night sky seen through it is no reason to cut a hole.
 */
function unsureBesideBackground(soft: SoftMask, background: Uint8Array, height: number): Uint8Array {
  const { width: w, height: h, data: v } = soft;
  const fromBackground = squaredDistanceTo({ width: w, height: h, data: background }, 1);
  const band = (BAND * height) ** 2;
  const { labels, sizes } = componentsWhere(soft.width, soft.height, (p) => v[p] > SURE && v[p] < 1 - SURE && fromBackground[p] <= band);
  const beside = new Uint8Array(sizes.length);
  for (let p = 0; p < v.length; p++) {
    if (labels[p] === 0) continue;
    const x = p % w;
    if ((x > 0 && background[p - 1]) || (x < w - 1 && background[p + 1]) || (p >= w && background[p - w]) || (p + w < v.length && background[p + w])) beside[labels[p]] = 1;
  }
  return pixelsOfComponents(labels, sizes.length, (id) => beside[id] === 1);
}

/** Sure background, but for specks of it (under `minArea` px, off the picture's edge) inside the person. */
function wideBackground(soft: SoftMask, minArea: number): Uint8Array {
  const { width: w, height: h, data: v } = soft;
  const { labels, sizes } = componentsWhere(soft.width, soft.height, (p) => v[p] <= SURE);
  const edge = new Uint8Array(sizes.length);
  for (let x = 0; x < w; x++) { edge[labels[x]] = 1; edge[labels[(h - 1) * w + x]] = 1; }
  for (let y = 0; y < h; y++) { edge[labels[y * w]] = 1; edge[labels[y * w + w - 1]] = 1; }
  return pixelsOfComponents(labels, sizes.length, (id) => edge[id] === 1 || sizes[id] >= minArea);
}

function withFloor(likes: Float32Array, floor: number): Float32Array {
  for (let i = 0; i < likes.length; i++) likes[i] += floor;
  return likes;
}
