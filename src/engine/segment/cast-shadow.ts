/**
 * The shadow a character casts on the ground from its feet, so the plate's hole takes it too: left in
 * the plate it stays where the character stood, a dark streak beside legs that have moved away (and
 * the inpainting, cut off at the hole's edge, carries half of it on into the hole). Pure.
 */
import type { JointPositions } from '../rig/skeleton.js';
import { JOINT_INDEX as J } from '../rig/skeleton.js';
import type { RasterImage } from '../types.js';
import { componentsWhere, dilate, pixelsOfComponents, erode, squaredDistanceTo, type BinaryMask } from './mask.js';

/** Looked for within this share of the character's height from an ankle… */
const REACH = 0.5;
/** …and no higher than this share above the lower ankle (a shadow lies on the ground). */
const ABOVE_FEET = 0.15;
/** A shadow pixel is at most this bright against the lit ground near the feet… */
const DARKER = 0.75;
/** …and at least this (a black bag is no shadow). */
const NOT_BLACK = 0.12;
/** Its colour's share per channel within this of the ground's (a shadow darkens, it hardly tints). */
const CHROMA = 0.06;
/** Dark lines thinner than twice this share of the height (a tile's joint, a crack) are not shadow. */
const LINE = 0.005;
/** A shadow touches the character within this share of the height of an ankle. */
const AT_FOOT = 0.06;
/** And it is at most this share of the character's own area. */
const MAX_AREA = 0.2;

export interface CastShadowInput {
  image: RasterImage;
  /** The character's mask. */
  mask: BinaryMask;
  joints: JointPositions;
  present: readonly boolean[];
  /** The character's height in pixels. */
  height: number;
}

/**
 * The ground's shadow joined to the feet (darker than the lit ground near them, of its colour, wider
 * than a line, ending within reach and away from the picture's edge); null when there is none or the
 * feet are not in the picture.
 */
export function castShadow({ image, mask, joints, present, height }: CastShadowInput): BinaryMask | null {
  const ankles = [J.l_ankle, J.r_ankle].filter((j) => present[j]).map((j) => [joints[2 * j], joints[2 * j + 1]]);
  if (ankles.length === 0) return null;
  const { width: w, height: h } = mask;
  const c = image.channels;
  const reach = REACH * height;
  const top = Math.max(...ankles.map((a) => a[1])) - ABOVE_FEET * height;
  const zone = new Uint8Array(w * h);
  let characterArea = 0;
  for (let p = 0; p < mask.data.length; p++) characterArea += mask.data[p];
  const x0 = Math.max(0, Math.floor(Math.min(...ankles.map((a) => a[0])) - reach));
  const x1 = Math.min(w - 1, Math.ceil(Math.max(...ankles.map((a) => a[0])) + reach));
  const y0 = Math.max(0, Math.floor(top));
  const y1 = Math.min(h - 1, Math.ceil(Math.max(...ankles.map((a) => a[1])) + reach));
  const lum: number[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * w + x;
      if (mask.data[p] || !ankles.some(([ax, ay]) => (x - ax) ** 2 + (y - ay) ** 2 <= reach * reach)) continue;
      zone[p] = 1;
      lum.push(luminance(image, p));
    }
  }
  if (lum.length < 100) return null;
  // The lit ground: the brighter half of the zone, by its median and its colour.
  lum.sort((a, b) => a - b);
  const median = lum[lum.length >> 1];
  const ground = [0, 0, 0];
  let lit = 0;
  for (let p = 0; p < zone.length; p++) {
    if (!zone[p] || luminance(image, p) < median) continue;
    for (let k = 0; k < 3; k++) ground[k] += image.data[c * p + k];
    lit++;
  }
  const groundLum = (ground[0] + ground[1] + ground[2]) / (3 * lit);
  const groundShare = ground.map((v) => v / (ground[0] + ground[1] + ground[2]));
  if (!(groundLum > 20)) return null;

  const dark = new Uint8Array(w * h);
  for (let p = 0; p < zone.length; p++) {
    if (!zone[p]) continue;
    const l = luminance(image, p);
    if (l > DARKER * groundLum || l < NOT_BLACK * groundLum) continue;
    const sum = image.data[c * p] + image.data[c * p + 1] + image.data[c * p + 2];
    let near = true;
    for (let k = 0; k < 3 && near; k++) near = Math.abs(image.data[c * p + k] / sum - groundShare[k]) <= CHROMA;
    dark[p] = near ? 1 : 0;
  }
  const line = Math.max(1, Math.round(LINE * height));
  const wide = dilate(erode({ width: w, height: h, data: dark }, line), line);

  // Components of the wide dark pixels: a shadow touches the character near a foot and ends within
  // the zone (a building's shadow or a road's edge runs on past it).
  const nearMask = squaredDistanceTo(mask, 1);
  const touch = (line + 2) ** 2;
  const atFoot = AT_FOOT * height;
  const { labels, sizes } = componentsWhere(w, h, (p) => wide.data[p] === 1 && zone[p] === 1);
  const joined = new Uint8Array(sizes.length), runsOn = new Uint8Array(sizes.length);
  const open = (q: number) => !zone[q] && !mask.data[q];
  for (let p = 0; p < labels.length; p++) {
    const id = labels[p];
    if (id === 0) continue;
    const x = p % w, y = (p - x) / w;
    if (nearMask[p] <= touch && ankles.some(([ax, ay]) => Math.hypot(x - ax, y - ay) <= atFoot)) joined[id] = 1;
    if (x === 0 || y === 0 || x === w - 1 || y === h - 1) runsOn[id] = 1;
    // A neighbour outside the zone that is not the character: the dark region runs on past the zone.
    if ((x > 0 && open(p - 1)) || (x < w - 1 && open(p + 1)) || (p >= w && open(p - w)) || (p + w < labels.length && open(p + w))) runsOn[id] = 1;
  }
  const taken = pixelsOfComponents(labels, sizes.length, (id) => joined[id] === 1 && !runsOn[id] && sizes[id] <= MAX_AREA * characterArea);
  if (!taken.includes(1)) return null;
  // Back out to the shadow's own dark pixels its opening trimmed, and a little past its soft edge.
  const grown = dilate({ width: w, height: h, data: taken }, line + 1);
  const out = new Uint8Array(w * h);
  for (let p = 0; p < out.length; p++) out[p] = taken[p] || (grown.data[p] && dark[p]) ? 1 : 0;
  return dilate({ width: w, height: h, data: out }, 2);
}

function luminance(img: RasterImage, p: number): number {
  const c = img.channels;
  return (img.data[c * p] + img.data[c * p + 1] + img.data[c * p + 2]) / 3;
}
