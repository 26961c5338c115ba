import { describe, expect, it } from 'vitest';
import { inpaint } from '../../src/engine/render/index.js';
import { JOINTS, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';
import { characterExtent, type ExtentOptions } from '../../src/engine/segment/extent.js';
import { dilate, refineMask, type BinaryMask } from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';
import { figureMask, insideFigure, rng, standardFigure, type FigureSpec } from './rig-figure.js';

function segDist(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax; const dy = by - ay; const l2 = dx * dx + dy * dy;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

type Rgb = [number, number, number];

/**
 * The figure (skin, a third of the noise) over a noisy ground of `ground` colour, with solid
 * regions painted between them (a later one over an earlier one).
 */
function paintScene(f: FigureSpec, seed: number, ground: Rgb, regions: [(x: number, y: number) => boolean, Rgb][]): RasterImage {
  const { width: w, height: h } = f;
  const rand = rng(seed);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const n = (rand() - 0.5) * 30;
      let rgb = ground.map((v) => v + n);
      for (const [on, colour] of regions) if (on(x, y)) rgb = colour;
      if (insideFigure(f, x, y)) rgb = [250 + n / 3, 205 + n / 3, 160 + n / 3];
      for (let c = 0; c < 3; c++) data[3 * (y * w + x) + c] = Math.max(0, Math.min(255, Math.round(rgb[c])));
    }
  }
  return { width: w, height: h, channels: 3, data };
}

/** characterExtent of a figure whose person mask is its own shape, all joints present. */
function figureExtent(f: FigureSpec, image: RasterImage) {
  const person = refineMask({ width: f.width, height: f.height, data: Float32Array.from(figureMask(f).data) });
  return characterExtent(image, person, f.joints, JOINTS.map(() => true));
}

/** How many pixels `pred` picks, and the share of them set in `m`. */
function takenShare(m: BinaryMask, pred: (x: number, y: number) => boolean): { all: number; share: number } {
  let all = 0; let taken = 0;
  for (let y = 0; y < m.height; y++) for (let x = 0; x < m.width; x++) if (pred(x, y)) { all++; taken += m.data[y * m.width + x]; }
  return { all, share: all ? taken / all : 0 };
}

/**
 * The standard figure on a textured grey-green ground, holding a long yellow stick in its right
 * hand (image left), with a small red box lying apart from it and a dark band (a wall's edge)
 * running behind it across the whole image.
 */
function scene() {
  const f = standardFigure();
  const { width: w, height: h } = f;
  const j = f.joints;
  const wrist = [j[2 * J.r_wrist], j[2 * J.r_wrist + 1]];
  const stickEnd = [24, 40];
  const onStick = (x: number, y: number) => segDist(x, y, wrist[0], wrist[1], stickEnd[0], stickEnd[1]) <= 3 && !insideFigure(f, x, y);
  const onBox = (x: number, y: number) => x >= 270 && x < 300 && y >= 330 && y < 350;
  const onBand = (y: number) => y >= 140 && y < 150;
  const rand = rng(7);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const n = (rand() - 0.5) * 30 + ((x >> 3) + (y >> 3)) % 2 * 12;
      let rgb = [120 + n, 135 + n, 110 + n];
      if (onBand(y)) rgb = [60 + n, 55 + n, 50 + n];
      if (onBox(x, y)) rgb = [210, 40, 40];
      if (onStick(x, y)) rgb = [240, 220, 40];
      if (insideFigure(f, x, y)) rgb = [250 + n / 3, 205 + n / 3, 160 + n / 3];
      for (let c = 0; c < 3; c++) data[3 * (y * w + x) + c] = Math.max(0, Math.min(255, Math.round(rgb[c])));
    }
  }
  const image: RasterImage = { width: w, height: h, channels: 3, data };
  const count = (m: BinaryMask, pred: (x: number, y: number) => boolean) => {
    let inside = 0; let all = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (pred(x, y)) { all++; inside += m.data[y * w + x]; }
    return inside / all;
  };
  return { f, image, onStick, onBox, onBand, count };
}

describe('characterExtent', () => {
  const { f, image, onStick, onBox, onBand, count } = scene();
  const person = refineMask({ width: f.width, height: f.height, data: Float32Array.from(figureMask(f).data) });
  const extent = characterExtent(image, person, f.joints, JOINTS.map(() => true));

  it('takes a stick held in the hand into the character and the plate\'s hole', () => {
    expect(extent.props).toBeGreaterThanOrEqual(1);
    expect(count(extent.mask, onStick)).toBeGreaterThan(0.9);
    expect(count(extent.hole, onStick)).toBe(1);
    // The mask stays one piece, so the rig's outline takes the stick in.
    expect(count(extent.mask, (x, y) => insideFigure(f, x, y))).toBe(1);
  });

  it('joins the stick to the hand without a ring of background round the joint', () => {
    const j = f.joints;
    const [wx, wy] = [j[2 * J.r_wrist], j[2 * J.r_wrist + 1]];
    let extra = 0;
    for (let y = 0; y < f.height; y++) {
      for (let x = 0; x < f.width; x++) {
        if (Math.hypot(x - wx, y - wy) > 25 || insideFigure(f, x, y) || onStick(x, y)) continue;
        // Off the figure and the stick, and not in the corners between them.
        let nearBoth = false;
        for (let d = 1; d <= 3 && !nearBoth; d++) {
          nearBoth = [[d, 0], [-d, 0], [0, d], [0, -d]].some(([dx, dy]) => onStick(x + dx, y + dy))
            && [[d, 0], [-d, 0], [0, d], [0, -d]].some(([dx, dy]) => insideFigure(f, x + dx, y + dy));
        }
        if (!nearBoth) extra += extent.mask.data[y * f.width + x];
      }
    }
    expect(extra).toBeLessThan(15);
  });

  it('leaves a box lying apart and a band behind the figure in the background', () => {
    expect(count(extent.mask, onBox)).toBe(0);
    expect(count(extent.hole, onBox)).toBe(0);
    const bandOutside = (x: number, y: number) => onBand(y) && (x < 20 || x > 300);
    expect(count(extent.mask, bandOutside)).toBe(0);
  });

  it('makes a plate with no stick left in it', () => {
    const plate = inpaint(image, extent.hole);
    let yellow = 0; let n = 0;
    for (let y = 0; y < f.height; y++) {
      for (let x = 0; x < f.width; x++) {
        if (!onStick(x, y)) continue;
        const p = 3 * (y * f.width + x);
        n++;
        if (plate.data[p] > 200 && plate.data[p + 1] > 180 && plate.data[p + 2] < 100) yellow++;
      }
    }
    expect(yellow / n).toBeLessThan(0.02);
  });

  it('gives the person model\'s mask back unchanged when nothing stands out', () => {
    const plain: RasterImage = { ...image, data: Uint8Array.from(image.data) };
    for (let y = 0; y < f.height; y++) {
      for (let x = 0; x < f.width; x++) {
        if (insideFigure(f, x, y)) continue;
        const p = 3 * (y * f.width + x);
        plain.data.set([120, 135, 110], p);
      }
    }
    const e = characterExtent(plain, person, f.joints, JOINTS.map(() => true));
    expect(e.props).toBe(0);
    expect(Array.from(e.mask.data)).toEqual(Array.from(person.binary.data));
  });
});

describe('characterExtent and a drawing\'s ink opacity', () => {
  it('keeps the person\'s own low alpha inside its mask when a prop feathers the outline again (inkAlpha)', () => {
    const { f, image } = scene();
    const person = refineMask({ width: f.width, height: f.height, data: Float32Array.from(figureMask(f).data) });
    // As a drawing's: the torso's middle is paper inside the mask, clear (alpha 0.05).
    const paper = (x: number, y: number) => x >= f.torso.x0 + 15 && x < f.torso.x1 - 15 && y >= f.torso.y0 + 20 && y < f.torso.y0 + 60;
    for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) if (paper(x, y)) person.soft.data[y * f.width + x] = 0.05;
    const ink = characterExtent(image, person, f.joints, JOINTS.map(() => true), { inkAlpha: true });
    const photo = characterExtent(image, person, f.joints, JOINTS.map(() => true));
    expect(ink.props).toBeGreaterThanOrEqual(1);
    const mean = (soft: { data: Float32Array }) => {
      let sum = 0, n = 0;
      for (let y = 0; y < f.height; y++) for (let x = 0; x < f.width; x++) if (paper(x, y)) { sum += soft.data[y * f.width + x]; n++; }
      return sum / n;
    };
    expect(mean(ink.soft)).toBeCloseTo(0.05, 5);
    // Without it the outline's feathering (opaque inside) is all there is.
    expect(mean(photo.soft)).toBeGreaterThan(0.95);
    // The stick, outside the person's mask, is opaque either way.
    const j = f.joints;
    const along = [0.5 * (j[2 * J.r_wrist] + 24), 0.5 * (j[2 * J.r_wrist + 1] + 40)].map(Math.round);
    expect(ink.soft.data[along[1] * f.width + along[0]]).toBeGreaterThan(0.9);
  });
});

describe('characterExtent and gaps inside the hole', () => {
  it('fills a small gap the plate\'s hole encloses (it would float in the plate) but not a large one', () => {
    const f = standardFigure();
    const image = paintScene(f, 11, [120, 135, 110], []);
    const m = figureMask(f);
    const punch = (cx: number, cy: number, half: number) => {
      for (let y = cy - half; y <= cy + half; y++) {
        for (let x = cx - half; x <= cx + half; x++) { m.data[y * f.width + x] = 0; image.data.set([120, 135, 110], 3 * (y * f.width + x)); }
      }
    };
    punch(160, 58, 4); // 9×9 in the head: the hole's margin leaves a 3×3 island
    punch(160, 170, 15); // 31×31 in the torso: real background seen through
    // (As refined masks can have it: refineMask itself fills small holes in the person.)
    const person = { binary: m, soft: { width: f.width, height: f.height, data: Float32Array.from(m.data) } };
    const e = characterExtent(image, person, f.joints, JOINTS.map(() => true));
    expect(e.hole.data[58 * f.width + 160]).toBe(1);
    expect(e.hole.data[170 * f.width + 160]).toBe(0);
  });
});

describe('characterExtent and the background behind a limb', () => {
  it('does not take a pale cloud lying all along a raised arm for a prop', () => {
    const f = standardFigure();
    const j = f.joints;
    const at = (k: number) => [j[2 * k], j[2 * k + 1]];
    const [s, e, wr] = [at(J.r_shoulder), at(J.r_elbow), at(J.r_wrist)];
    // A cloud hugging the whole arm (shoulder to wrist), the colour of nothing else around.
    const onCloud = (x: number, y: number) => !insideFigure(f, x, y)
      && Math.min(segDist(x, y, s[0], s[1], e[0], e[1]), segDist(x, y, e[0], e[1], wr[0], wr[1])) <= 40;
    const e2 = figureExtent(f, paintScene(f, 11, [70, 150, 200], [[onCloud, [240, 242, 246]]]));
    const cloud = takenShare(e2.mask, onCloud);
    expect(cloud.all).toBeGreaterThan(500);
    expect(e2.props).toBe(0);
    expect(cloud.share).toBeLessThan(0.1);
  });
});

describe('characterExtent and the ground at the feet', () => {
  /**
   * The standard figure over dark sky and grey road, the person model's mask the figure plus a patch of
   * road round its left ankle (`radius` px about it, from 20 px above it down).
   */
  function roadAtAnkle(radius: number, seed: number, options: ExtentOptions = { cutGroundIsBackground: true }) {
    const f = standardFigure();
    const { width: w, height: h } = f;
    const ax = f.joints[2 * J.l_ankle]; const ay = f.joints[2 * J.l_ankle + 1];
    const onPatch = (x: number, y: number) => !insideFigure(f, x, y) && Math.hypot(x - ax, y - ay) <= radius && y > ay - 20;
    const rand = rng(seed);
    const data = new Uint8Array(w * h * 3);
    const soft = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const n = (rand() - 0.5) * 20;
        let rgb = [60 + n, 70 + n, 90 + n]; // dark sky
        if (y > 330) rgb = [150 + n, 150 + n, 155 + n]; // the road
        const inFigure = insideFigure(f, x, y);
        if (inFigure) rgb = [250 + n / 3, 205 + n / 3, 160 + n / 3];
        if (inFigure || onPatch(x, y)) soft[y * w + x] = 1;
        for (let c = 0; c < 3; c++) data[3 * (y * w + x) + c] = Math.max(0, Math.min(255, Math.round(rgb[c])));
      }
    }
    const person = refineMask({ width: w, height: h, data: soft });
    const e = characterExtent({ width: w, height: h, channels: 3, data }, person, f.joints, JOINTS.map(() => true), options);
    return { f, w, h, ax, ay, onPatch, person, e };
  }

  it('cuts off a patch of road the person model took around a foot', () => {
    // 24 px about the ankle: within the shoe's reach.
    const { f, w, h, ax, ay, onPatch, e } = roadAtAnkle(24, 5);
    let patch = 0; let kept = 0; let leg = 0; let legKept = 0;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        if (onPatch(x, y) && Math.hypot(x - ax, y - ay) > 14) { patch++; kept += e.mask.data[y * w + x]; }
        if (insideFigure(f, x, y)) { leg++; legKept += e.mask.data[y * w + x]; }
      }
    }
    expect(patch).toBeGreaterThan(300);
    expect(kept / patch).toBeLessThan(0.2);
    expect(legKept / leg).toBeGreaterThan(0.99);
  });

  it('leaves the road it cut off in the plate, but for a band next to the foot kept', () => {
    // A wide lit patch under the foot (as a glowing character's), far past the shoe's reach.
    const { w, h, person, e } = roadAtAnkle(70, 9);
    let top = h; let bottom = 0;
    for (let p = 0; p < w * h; p++) if (person.binary.data[p]) { top = Math.min(top, Math.floor(p / w)); bottom = Math.max(bottom, Math.floor(p / w)); }
    const height = bottom - top + 1;
    const beside = dilate(e.mask, 2);
    const band = dilate(e.mask, Math.ceil(0.03 * height) + Math.ceil(0.006 * height) + 3);
    let near = 0; let nearInHole = 0; let far = 0; let farInHole = 0;
    for (let p = 0; p < w * h; p++) {
      if (!person.binary.data[p] || e.mask.data[p]) continue; // only what was cut off
      if (beside.data[p]) { near++; nearInHole += e.hole.data[p]; } else if (!band.data[p]) { far++; farInHole += e.hole.data[p]; }
    }
    expect(near).toBeGreaterThan(30);
    expect(far).toBeGreaterThan(2000);
    expect(nearInHole / near).toBe(1);
    expect(farInHole / far).toBeLessThan(0.02);
  });

  it('puts all it cut off in the hole where the mask is the character itself (a drawing, an alpha channel)', () => {
    const { w, h, person, e } = roadAtAnkle(70, 9, {});
    let cut = 0; let inHole = 0;
    for (let p = 0; p < w * h; p++) if (person.binary.data[p] && !e.mask.data[p]) { cut++; inHole += e.hole.data[p]; }
    expect(cut).toBeGreaterThan(2000);
    expect(inHole).toBe(cut);
  });
});

describe('characterExtent and the ground beside the shins', () => {
  it('cuts ground beside a slim shin near the foot (its own colour, as a glow is), and keeps a foot turned sideways', () => {
    const f = standardFigure();
    const { width: w, height: h } = f;
    const [kx, ky, ax, ay] = [f.joints[2 * J.l_knee], f.joints[2 * J.l_knee + 1], f.joints[2 * J.l_ankle], f.joints[2 * J.l_ankle + 1]];
    const along = (x: number, y: number) => ((x - kx) * (ax - kx) + (y - ky) * (ay - ky)) / ((ax - kx) ** 2 + (ay - ky) ** 2);
    const fromShin = (x: number, y: number) => {
      const t = Math.max(0, Math.min(1, along(x, y)));
      return Math.hypot(x - kx - t * (ax - kx), y - ky - t * (ay - ky));
    };
    // Ground up to 27 px from the shin's axis (its half width is 12), over 50–80% of the way down (short of the heel), in the mask.
    const onGround = (x: number, y: number) => !insideFigure(f, x, y) && along(x, y) >= 0.5 && along(x, y) <= 0.8
      && fromShin(x, y) < 27;
    // A foot pointing out sideways from the ankle (image right), 22 px long.
    const onFoot = (x: number, y: number) => !insideFigure(f, x, y) && x >= ax && x <= ax + 22 && Math.abs(y - ay - 4) <= 7;
    const data = new Uint8Array(w * h * 3);
    const soft = new Float32Array(w * h);
    const rand = rng(8);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const n = (rand() - 0.5) * 20;
        let rgb = y > 330 ? [150 + n, 150 + n, 155 + n] : [60 + n, 70 + n, 90 + n];
        const inside = insideFigure(f, x, y) || onGround(x, y) || onFoot(x, y);
        if (inside) { rgb = [250 + n / 3, 205 + n / 3, 160 + n / 3]; soft[y * w + x] = 1; }
        for (let c = 0; c < 3; c++) data[3 * (y * w + x) + c] = Math.max(0, Math.min(255, Math.round(rgb[c])));
      }
    }
    const person = refineMask({ width: w, height: h, data: soft });
    const e = characterExtent({ width: w, height: h, channels: 3, data }, person, f.joints, JOINTS.map(() => true));
    const kept = (pred: (x: number, y: number) => boolean) => {
      let n = 0, k = 0;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) if (pred(x, y)) { n++; k += e.mask.data[y * w + x]; }
      return { n, share: k / n };
    };
    // Past 1.8 half widths of the shin it is ground.
    const ground = kept((x, y) => onGround(x, y) && fromShin(x, y) > 24.5), foot = kept(onFoot);
    expect(ground.n).toBeGreaterThan(60);
    expect(ground.share).toBeLessThan(0.1);
    expect(foot.n).toBeGreaterThan(100);
    expect(foot.share).toBeGreaterThan(0.95);
    expect(kept((x, y) => insideFigure(f, x, y)).share).toBeGreaterThan(0.99);
  });
});

describe('characterExtent and what lies at the head', () => {
  // A red cap sitting on the head, and a pale lattice (window panes) touching the head's side.
  const f = standardFigure();
  const onCap = (x: number, y: number) => x >= 140 && x < 180 && y >= 12 && y < 30 && !insideFigure(f, x, y);
  const onPanes = (x: number, y: number) => x >= 96 && x < 131 && y >= 26 && y < 62 && !insideFigure(f, x, y);
  const e = figureExtent(f, paintScene(f, 5, [90, 120, 70], [[onCap, [200, 30, 30]], [onPanes, [225, 235, 245]]]));
  const share = (pred: (x: number, y: number) => boolean) => takenShare(e.mask, pred).share;

  it('takes a cap worn on top of the head into the character', () => {
    expect(share(onCap)).toBeGreaterThan(0.9);
  });

  it('leaves window panes beside the head in the background', () => {
    expect(share(onPanes)).toBeLessThan(0.1);
  });
});


describe('characterExtent and a ragged spread at the hand', () => {
  it('does not take fragments (lawn, a broken-up glow) touching the hand for a prop', () => {
    const f = standardFigure();
    const w = f.width;
    const [wx, wy] = [f.joints[2 * J.l_wrist], f.joints[2 * J.l_wrist + 1]];
    // Speckles over a square beside the hand (about half its pixels, joined corner to corner).
    const speckle = rng(9);
    const specks = new Set<number>();
    for (let y = wy - 10; y < wy + 30; y++) for (let x = wx + 4; x < wx + 44; x++) if (speckle() < 0.45) specks.add(y * w + x);
    const onComb = (x: number, y: number) => !insideFigure(f, x, y) && specks.has(y * w + x);
    const e = figureExtent(f, paintScene(f, 3, [90, 120, 70], [[onComb, [210, 235, 120]]]));
    const spread = takenShare(e.mask, onComb);
    expect(spread.all).toBeGreaterThan(200);
    expect(spread.share).toBeLessThan(0.1);
  });
});
