/**
 * The character's whole extent: the mask the rig is built on and the hole the clean plate fills.
 * Person segmentation drops what a person holds or wears (a ball, skis, a pole, a hat) and leaves
 * glow, hair wisps and the shadow at the feet outside its outline. Around the person, pixels whose
 * colour is rare in the surrounding background (a colour histogram of the pixels farther out) are
 * salient; their connected regions are sorted by where they touch the person:
 *  - a thin rim all along the outline (glow, soft edge): the plate's hole only;
 *  - a region held at a hand, worn at the head, or a long thin one at a foot (skis): a prop, part
 *    of the character (the rig labels it with the nearest limb, so it moves with that limb);
 *  - anything else the hole would cut into (a cat at her feet, a shadow): removed whole from the
 *    plate if it is small, so nothing is left torn; big background structure stays as it is.
 * Ground the person model took around the feet is cut off the character (it stays in the hole).
 * Small gaps the hole encloses are filled with it.
 */
import { segmentDistance } from '../geometry/segment.js';
import type { JointPositions } from '../rig/skeleton.js';
import { JOINT_INDEX as J } from '../rig/skeleton.js';
import type { RasterImage, SoftMask } from '../types.js';
import { castShadow } from './cast-shadow.js';
import { COLOUR_BINS, colourBin, colourShares, overNeighbourBins } from './colour-bins.js';
import { dilate, erode, fillHoles, insideDistance, largestComponent, orMasks, squaredDistanceTo, type BinaryMask } from './mask.js';

export interface CharacterExtent {
  /** Person plus props: what the rig is built on and the texture shows. */
  mask: BinaryMask;
  /** The texture's alpha over `mask` (the person's own soft edge when nothing was added). */
  soft: SoftMask;
  /** What the clean plate fills. */
  hole: BinaryMask;
  /** Regions taken as props (for the debug summary). */
  props: number;
  /** Salient regions removed from the plate without joining the character. */
  removed: number;
}

/** Props reach at most this far from the person's outline (× the person's height). */
const REACH = 0.45;
/** A colour bin holding less than this share of the background ring (with its neighbours) is rare. */
const RARE = 0.02;
/** A colour this many times more common near the person than farther out is salient. */
const CONCENTRATED = 3;

function bounds(m: BinaryMask): { x0: number; y0: number; x1: number; y1: number } | null {
  let x0 = m.width; let y0 = m.height; let x1 = -1; let y1 = -1;
  for (let y = 0; y < m.height; y++) {
    for (let x = 0; x < m.width; x++) {
      if (!m.data[y * m.width + x]) continue;
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/**
 * The plate's hole around a mask: a little beyond the outline, so no halo of the character stays
 * in the plate (about 0.6% of the character's height: the soft edge and its shadow line).
 */
export function plateHoleOf(mask: BinaryMask): BinaryMask {
  const b = bounds(mask);
  return dilate(mask, Math.max(3, Math.round((b ? b.y1 - b.y0 + 1 : 0) * 0.006)));
}

/** Median squared distance to the person over the pixels outside it. */
function medianOutside(d2: Float64Array, mask: BinaryMask): number {
  const v: number[] = [];
  const step = Math.max(1, Math.floor(d2.length / 50_000));
  for (let p = 0; p < d2.length; p += step) if (!mask.data[p]) v.push(d2[p]);
  if (v.length === 0) return 0;
  v.sort((a, b) => a - b);
  return v[v.length >> 1];
}

/** Per colour bin: the largest share of background pixels in it or a neighbouring bin (all 1 without any). */
function backgroundLikelihood(img: RasterImage, ring: Uint8Array): Float32Array {
  if (!ring.some((v) => v)) return new Float32Array(COLOUR_BINS).fill(1);
  return overNeighbourBins(colourShares(img, ring), 'max');
}

interface Region {
  area: number; maxDist: number; touchesBorder: boolean; attached: boolean; inHole: boolean;
  /** Nearest distance from a contact pixel (next to the person) to each attachment joint. */
  near: { wrist: number; ankle: number; head: number };
  /** Contact pixels (next to the person), and how many of them lie close to each attachment joint. */
  contact: number; contactAt: { wrist: number; ankle: number; head: number };
  /** Second moments, for elongation. */
  sx: number; sy: number; sxx: number; syy: number; sxy: number; cy: number;
}

/** A colour this many times commoner on the ground beside the feet than on the shins is ground. */
const GROUND_OVER_LEG = 2;
/** Contact within this distance of a wrist or an ankle (× height) counts as held there. */
const HOLD_RADIUS = 0.1;
/** At least this share of a prop's contact with the person lies where it is held or worn. */
const HELD_SHARE = 0.6;

/** A prop is one solid thing: its solidity (see solidity()) is at least this. */
const PROP_SOLIDITY = 0.5;
/**
 * Contact this close to the head joint (× height) counts as at the head. (0.25 took in cartoon1's
 * bun, and his limb-angle error against juggle1 went from 13.8° to 17.7°.)
 */
const HEAD_REACH = 0.15;
/** A prop worn at the head has its centre within this distance (× height) of the head's, across. */
const HEAD_PROP_SPAN = 0.07;

/** Largest difference over the channels between two pixels' colours that still joins them. */
const JOIN = 48;

/**
 * 8-connected components of the set pixels, joined only where neighbours are alike in colour: a
 * yellow stick lying across a dark band stays apart from the band.
 */
function colourComponents(img: RasterImage, set: Uint8Array): { labels: Int32Array; sizes: number[] } {
  const { width: w, height: h, channels: c, data } = img;
  const labels = new Int32Array(w * h);
  const sizes = [0];
  const stack = new Int32Array(w * h);
  const alike = (p: number, q: number) => Math.abs(data[p * c] - data[q * c]) <= JOIN
    && Math.abs(data[p * c + 1] - data[q * c + 1]) <= JOIN && Math.abs(data[p * c + 2] - data[q * c + 2]) <= JOIN;
  for (let start = 0; start < w * h; start++) {
    if (!set[start] || labels[start] !== 0) continue;
    const id = sizes.length;
    let top = 0; let size = 0;
    stack[top++] = start; labels[start] = id;
    while (top > 0) {
      const p = stack[--top]; size++;
      const x = p % w; const y = (p - x) / w;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w || (dx === 0 && dy === 0)) continue;
          const q = yy * w + xx;
          if (set[q] && labels[q] === 0 && alike(p, q)) { labels[q] = id; stack[top++] = q; }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, sizes };
}

/**
 * Area over that of the ellipse with the region's second moments (4π·√det Σ): about 1 for a solid
 * shape, a ball, a board, a stick; far less for a ragged spread of fragments (patches of lawn,
 * a glow broken up by the background's texture).
 */
function solidity(r: Region): number {
  const { a, b, c } = covariance(r);
  return r.area / (4 * Math.PI * Math.sqrt(Math.max(1e-9, a * c - b * b)));
}

/** The region's pixel covariance [[a, b], [b, c]]. */
function covariance(r: Region): { a: number; b: number; c: number } {
  const mx = r.sx / r.area; const my = r.sy / r.area;
  return { a: r.sxx / r.area - mx * mx, b: r.sxy / r.area - mx * my, c: r.syy / r.area - my * my };
}

function elongation(r: Region): number {
  const { a, b, c } = covariance(r);
  const t = (a + c) / 2; const d = Math.sqrt(Math.max(0, ((a - c) / 2) ** 2 + b * b));
  return Math.sqrt((t + d) / Math.max(1e-6, t - d));
}

/** The feathered alpha refineMask gives a binary mask: 0.5 per pixel inside the outline, up to 1. */
function featheredAlpha(m: BinaryMask): SoftMask {
  const inside = insideDistance(m);
  const alpha = new Float32Array(inside.length);
  for (let p = 0; p < alpha.length; p++) alpha[p] = Math.min(1, inside[p] * 0.5);
  return { width: m.width, height: m.height, data: alpha };
}

/** Whether (x, y) lies past the ankle along the knee→ankle line, or at most `back` px short of it. */
function beyondAnkle(x: number, y: number, kx: number, ky: number, ax: number, ay: number, back: number): boolean {
  const dx = ax - kx, dy = ay - ky, len = Math.hypot(dx, dy);
  return len < 1e-6 || ((x - ax) * dx + (y - ay) * dy) / len >= -back;
}

/**
 * The median of the mask's inside distance on the shins' axes, over 20–60% of the way from knee to
 * ankle (above the feet, where ground seldom joins the mask); null where too few axis points are in it.
 */
function shinHalfWidth(mask: BinaryMask, shins: number[][]): number | null {
  const inside = insideDistance(mask);
  const values: number[] = [];
  for (const [kx, ky, ax, ay] of shins) {
    for (let t = 0.2; t <= 0.6 + 1e-9; t += 0.05) {
      const x = Math.round(kx + (ax - kx) * t), y = Math.round(ky + (ay - ky) * t);
      if (x < 0 || y < 0 || x >= mask.width || y >= mask.height) continue;
      const d = inside[y * mask.width + x];
      if (d > 0) values.push(d);
    }
  }
  if (values.length < 4) return null;
  values.sort((a, b) => a - b);
  return values[values.length >> 1];
}

/**
 * Ground the person model took with the feet (a piece of road, a cat beside them): mask pixels
 * below the knees farther than 1.8 × the shins' half width (0.03…0.075 × height) from both shins
 * (knee to ankle) and 0.09 × height from both ankles on the foot's side (past the ankle, from the knee). Legs and shoes stay; the rest is no character (the plate keeps it
 * but for a band next to the feet: trimmedHole).
 */
function trimBelowFeet(mask: BinaryMask, joints: JointPositions, present: readonly boolean[], height: number, image?: RasterImage): BinaryMask | null {
  const shins = ([[J.l_knee, J.l_ankle], [J.r_knee, J.r_ankle]] as const).filter(([k, a]) => present[k] && present[a])
    .map(([k, a]) => [joints[2 * k], joints[2 * k + 1], joints[2 * a], joints[2 * a + 1]]);
  if (shins.length === 0) return null;
  const top = Math.min(...shins.map((s) => s[1]));
  // The shins' own half width, where the mask has one (a slim leg is not given 0.075 × height of
  // road on either side): pixels farther than 1.8 of it go, and only its inner 0.8 is sure to be leg.
  const half = shinHalfWidth(mask, shins);
  const far = half === null ? 0.075 * height : Math.max(0.03 * height, Math.min(0.075 * height, 1.8 * half));
  const shoe = 0.09 * height;
  // A foot lies beyond its ankle (from the knee), whichever way the shin points: beside the shin,
  // above the ankle, is no shoe. (A little behind the ankle still counts: the heel.)
  const back = half ?? 0.03 * height;
  const { width: w, height: h } = mask;
  const data = Uint8Array.from(mask.data);
  let removed = 0;
  const y0 = Math.max(0, Math.ceil(top));
  // Per pixel below the knees (index p − y0·w): distance to the nearer shin and to the nearer ankle, taken once.
  const legD = new Float64Array((h - y0) * w); const ankleD = new Float64Array((h - y0) * w);
  for (let y = y0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const q = (y - y0) * w + x;
      legD[q] = Math.min(...shins.map(([kx, ky, ax, ay]) => segmentDistance(x, y, kx, ky, ax, ay)));
      ankleD[q] = Math.min(...shins.map(([kx, ky, ax, ay]) => (beyondAnkle(x, y, kx, ky, ax, ay, back) ? Math.hypot(x - ax, y - ay) : Infinity)));
    }
  }
  const nearLeg = (p: number) => Math.min(legD[p - y0 * w], ankleD[p - y0 * w]);
  for (let p = y0 * w; p < w * h; p++) {
    if (data[p] && legD[p - y0 * w] > far && ankleD[p - y0 * w] > shoe) { data[p] = 0; removed++; }
  }
  // Within that reach, ground the colour of the road around the feet (a light marking, a glow, a
  // shadow) rather than of the legs and shoes: a pixel past the shins' core whose colour bin is
  // commoner in the ground ring beside the feet than on the shins goes too.
  if (image) {
    const core = half === null ? 0.025 * height : Math.max(0.01 * height, Math.min(0.025 * height, 0.8 * half));
    const legs = new Uint8Array(w * h); const ground = new Uint8Array(w * h);
    for (let p = y0 * w; p < w * h; p++) {
      const d = nearLeg(p);
      if (mask.data[p] && d <= core) legs[p] = 1;
      // The ground's colours: beside the feet, in the mask or not where it is too far to be leg (a
      // person model that took the whole road round the feet leaves little of it outside the mask).
      else if (d <= 2 * shoe && (!mask.data[p] || !data[p])) ground[p] = 1;
    }
    const legShare = colourShares(image, legs); const groundShare = colourShares(image, ground);
    for (let p = y0 * w; p < w * h; p++) {
      if (!data[p] || legs[p] || nearLeg(p) <= 1.6 * core) continue;
      const bin = colourBin(image, p);
      if (groundShare[bin] > GROUND_OVER_LEG * legShare[bin]) { data[p] = 0; removed++; }
    }
  }
  return removed > 0 ? largestComponent({ width: w, height: h, data }) : null;
}

/** Of the ground cut off at the feet, what lies within this × the height of what was kept goes in the hole. */
const TRIM_HOLE_REACH = 0.03;

/**
 * The plate's hole when ground was cut off at the feet: the kept mask's, and the cut-off pixels near
 * it (where the cut may have taken a sole's edge or a lace, which left in the plate would be a ghost
 * shoe); farther out the cut-off ground is the picture's own background and the plate keeps it (filled
 * in, anime1's lit road under her feet came back as fog and fragments of the skyline).
 */
function trimmedHole(person: BinaryMask, kept: BinaryMask, height: number): BinaryMask {
  const hole = plateHoleOf(kept);
  const near = dilate(kept, Math.max(3, Math.round(TRIM_HOLE_REACH * height)));
  for (let p = 0; p < hole.data.length; p++) if (person.data[p] && near.data[p]) hole.data[p] = 1;
  return hole;
}

export function characterExtent(
  image: RasterImage, person: { binary: BinaryMask; soft: SoftMask }, joints: JointPositions, present: readonly boolean[],
  o: ExtentOptions = {},
): CharacterExtent {
  const b = bounds(person.binary);
  if (!b) return { mask: person.binary, soft: person.soft, hole: plateHoleOf(person.binary), props: 0, removed: 0 };
  const found = extentOf(image, person, joints, present, b, o.cutGroundIsBackground === true);
  const extent = o.inkAlpha && found.soft !== person.soft ? { ...found, soft: withinInk(found.soft, person) } : found;
  // Islands the hole encloses (the dark gaps of a hair bun the person model left out, a speck
  // between hair and a hairpin) would stay in the plate as a floating blot; a gap the size of the
  // space between an arm and the body is real background and stays.
  const island = (ISLAND * (b.y1 - b.y0 + 1)) ** 2;
  // The shadow cast from the feet goes with the character: left behind it is a ghost.
  const shadow = castShadow({ image, mask: extent.mask, joints, present, height: b.y1 - b.y0 + 1 });
  const hole = shadow ? orMasks(extent.hole, shadow) : extent.hole;
  return { ...extent, hole: fillHoles(hole, island) };
}

export interface ExtentOptions {
  /**
   * The mask is a person model's guess, which takes ground with the feet: what the trim cuts off is
   * the picture's background and the plate keeps it (trimmedHole). Where the mask is the character
   * itself (a drawing's ink, a picture's alpha), the cut is still the character's (a foot's stroke),
   * and left in the plate it stood as a ghost of the feet: it goes in the hole.
   */
  cutGroundIsBackground?: boolean;
  /**
   * The person's soft mask is a drawing's ink opacity, not a feathered outline: a trim or a prop
   * feathers the new outline again, and inside the person's mask that must not make the paper
   * round a stick limb opaque.
   */
  inkAlpha?: boolean;
}

/** A re-feathered alpha, kept at or under the person's own inside the person's mask. */
function withinInk(soft: SoftMask, person: { binary: BinaryMask; soft: SoftMask }): SoftMask {
  const data = Float32Array.from(soft.data);
  for (let p = 0; p < data.length; p++) if (person.binary.data[p]) data[p] = Math.min(data[p], person.soft.data[p]);
  return { width: soft.width, height: soft.height, data };
}

/** Gaps enclosed by the hole up to this × the character's height, squared, are filled with it. */
const ISLAND = 0.03;

/** The extent before the hole's islands are filled; `b`: the person's bounds. */
function extentOf(
  image: RasterImage, person: { binary: BinaryMask; soft: SoftMask }, joints: JointPositions, present: readonly boolean[],
  b: NonNullable<ReturnType<typeof bounds>>, cutGroundIsBackground: boolean,
): CharacterExtent {
  const height = b.y1 - b.y0 + 1;
  const trimmed = trimBelowFeet(person.binary, joints, present, height, image);
  const mask = trimmed ?? person.binary;
  const baseHole = trimmed && cutGroundIsBackground ? trimmedHole(person.binary, trimmed, height) : plateHoleOf(person.binary);
  const personSoft = trimmed ? featheredAlpha(trimmed) : person.soft;
  const nothing: CharacterExtent = { mask, soft: personSoft, hole: baseHole, props: 0, removed: 0 };
  const { width: w, height: h } = mask;
  let personArea = 0;
  for (const v of mask.data) personArea += v;
  const reach = REACH * height;
  const rimWidth = Math.max(3, 0.025 * height);
  const gap = Math.max(2, 0.01 * height);
  const d2 = squaredDistanceTo(mask, 1);

  // The background model: pixels well away from the person (past the median distance, or 0.15 ×
  // height), so a prop, mostly near the person, hardly counts in it.
  const ring = new Uint8Array(w * h);
  const ringFrom = Math.min(0.15 * height, Math.sqrt(medianOutside(d2, mask)));
  for (let p = 0; p < ring.length; p++) ring[p] = d2[p] > ringFrom * ringFrom ? 1 : 0;
  const like = backgroundLikelihood(image, ring);
  // What is near the person: a colour far more common there than farther out is salient too (a
  // prop that reaches into the far pixels still counts there, but less than near the person).
  const zone = new Uint8Array(w * h);
  for (let p = 0; p < zone.length; p++) zone[p] = d2[p] > 0 && d2[p] <= reach * reach && !person.binary.data[p] ? 1 : 0;
  const nearShare = colourShares(image, zone);
  // (Ground trimmed off the person is not salient: it is in the hole already and is no prop.)
  const salient = new Uint8Array(w * h);
  for (let p = 0; p < salient.length; p++) {
    if (!zone[p]) continue;
    const bin = colourBin(image, p);
    salient[p] = like[bin] < RARE || nearShare[bin] > CONCENTRATED * like[bin] ? 1 : 0;
  }
  const { labels, sizes } = colourComponents(image, salient);

  const regions: Region[] = sizes.map(() => ({
    area: 0, maxDist: 0, touchesBorder: false, attached: false, inHole: false,
    near: { wrist: Infinity, ankle: Infinity, head: Infinity }, contact: 0, contactAt: { wrist: 0, ankle: 0, head: 0 }, sx: 0, sy: 0, sxx: 0, syy: 0, sxy: 0, cy: 0,
  }));
  const jointAt = (j: number) => (present[j] ? [joints[2 * j], joints[2 * j + 1]] : null);
  const wrists = [jointAt(J.l_wrist), jointAt(J.r_wrist)].filter((v): v is number[] => v !== null);
  const ankles = [jointAt(J.l_ankle), jointAt(J.r_ankle)].filter((v): v is number[] => v !== null);
  const head = jointAt(J.head);
  const nearest = (pts: number[][], x: number, y: number) => Math.min(Infinity, ...pts.map(([px, py]) => Math.hypot(px - x, py - y)));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = y * w + x;
      const id = labels[p];
      if (id === 0) continue;
      const r = regions[id];
      r.area++; r.sx += x; r.sy += y; r.sxx += x * x; r.syy += y * y; r.sxy += x * y;
      r.maxDist = Math.max(r.maxDist, Math.sqrt(d2[p]));
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1) r.touchesBorder = true;
      if (baseHole.data[p]) r.inHole = true;
      if (d2[p] <= gap * gap) {
        r.attached = true;
        const dw = nearest(wrists, x, y); const da = nearest(ankles, x, y);
        const dh = head ? Math.hypot(head[0] - x, head[1] - y) : Infinity;
        r.near.wrist = Math.min(r.near.wrist, dw);
        r.near.ankle = Math.min(r.near.ankle, da);
        r.near.head = Math.min(r.near.head, dh);
        r.contact++;
        if (dw <= HOLD_RADIUS * height) r.contactAt.wrist++;
        if (da <= HOLD_RADIUS * height) r.contactAt.ankle++;
        if (dh <= HEAD_REACH * height) r.contactAt.head++;
      }
    }
  }
  const headY = head ? head[1] : b.y0 + 0.1 * height;
  const kind = regions.map((r, id): 'prop' | 'hole' | 'keep' => {
    if (id === 0 || r.area === 0) return 'keep';
    if (r.attached && r.maxDist <= rimWidth) return 'hole';
    // A region that runs on to the edge of the search zone is background structure (a roof line,
    // a road) that merely passes the person; a prop ends within reach.
    // A prop touches the person where it is held or worn, not all along an arm or the torso (sky or
    // a cloud behind a raised arm does), and it does not run out of the picture.
    const ends = r.maxDist < 0.9 * reach;
    const heldBy = (n: number) => n >= HELD_SHARE * r.contact;
    if (r.attached && ends && !r.touchesBorder && r.area <= 0.5 * personArea && solidity(r) >= PROP_SOLIDITY) {
      const centreY = r.sy / r.area;
      if (r.near.wrist <= 0.1 * height && heldBy(r.contactAt.wrist)) return 'prop';
      // Worn at the head: over it (a cap, a hat), not beside it (window panes, a branch behind the hair).
      const overHead = head !== null && Math.abs(r.sx / r.area - head[0]) <= HEAD_PROP_SPAN * height;
      if (r.near.head <= HEAD_REACH * height && heldBy(r.contactAt.head) && overHead && centreY < headY && r.area <= 0.08 * personArea && r.maxDist <= 0.12 * height && elongation(r) <= 3) return 'prop';
      if (r.near.ankle <= 0.06 * height && heldBy(r.contactAt.ankle) && elongation(r) >= 4) return 'prop';
    }
    // Only compact things close by (a cat, a shadow): a line the hole crosses (a wall's foot, a
    // window frame) is background structure the inpainting continues better than it replaces.
    if (r.inHole && r.area <= 0.1 * personArea && !r.touchesBorder && r.maxDist <= 0.12 * height && elongation(r) <= 3) return 'hole';
    return 'keep';
  });

  const props = kind.filter((k) => k === 'prop').length;
  const removed = kind.filter((k) => k === 'hole').length;
  if (props === 0 && removed === 0) return nothing;
  const propMask: BinaryMask = { width: w, height: h, data: new Uint8Array(w * h) };
  const extra: BinaryMask = { width: w, height: h, data: new Uint8Array(w * h) };
  for (let p = 0; p < labels.length; p++) {
    const k = kind[labels[p]];
    if (k === 'prop') propMask.data[p] = 1;
    if (k === 'hole') extra.data[p] = 1;
  }
  let extended = mask;
  let soft = personSoft;
  if (props > 0) {
    // Bridge the small gap between a prop and the outline, so the rig's outline takes it in: only
    // what a closing of the two fills (between them), never a ring of background round the joint.
    const grown = dilate(propMask, gap + 1);
    const union = Uint8Array.from(mask.data);
    for (let p = 0; p < union.length; p++) if (propMask.data[p]) union[p] = 1;
    const closed = erode(dilate({ width: w, height: h, data: union }, gap + 1), gap + 1);
    const data = Uint8Array.from(union);
    for (let p = 0; p < data.length; p++) if (closed.data[p] && grown.data[p] && d2[p] <= (gap + 1) ** 2) data[p] = 1;
    extended = { width: w, height: h, data };
    // The same feathered edge over the whole new outline (no seam at the join).
    soft = featheredAlpha(extended);
  }
  const holeBase = baseHole;
  if (props > 0) { const withProps = plateHoleOf(extended); for (let p = 0; p < holeBase.data.length; p++) holeBase.data[p] |= withProps.data[p]; }
  // Removed regions are grown a little too, so their own soft edge goes with them.
  const extraGrown = removed > 0 ? dilate(extra, 2) : extra;
  const hole: BinaryMask = { width: w, height: h, data: new Uint8Array(w * h) };
  for (let p = 0; p < hole.data.length; p++) hole.data[p] = holeBase.data[p] || extraGrown.data[p] ? 1 : 0;
  return { mask: extended, soft, hole, props, removed };
}
