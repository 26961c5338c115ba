import { describe, expect, it } from 'vitest';
import { assembleCharacter } from '../../src/engine/character.js';
import { enclosedGaps, preparePlate, prepareStillRing, renderFrame } from '../../src/engine/frame-renderer.js';
import { applyStillRing, buildStillRing, stillShare, type StillRingInput } from '../../src/engine/render/still-ring.js';
import type { RetargetPlan } from '../../src/engine/retarget/retarget.js';
import { DEFAULT_LAYER_ORDER, JOINTS } from '../../src/engine/rig/skeleton.js';
import { refineMask } from '../../src/engine/segment/index.js';
import { figureMask, rng, standardFigure } from './rig-figure.js';

const W = 100, H = 60;
const rgb = (f: (x: number, y: number) => [number, number, number]) => {
  const d = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) d.set(f(x, y), 3 * (y * W + x));
  return d;
};
/** A picture of stripes, a flat grey plate, a rim column band x 40..45, two vertices: 0 at (38, 30), 1 at (70, 30) (canvas = picture). */
function scene(over: Partial<StillRingInput> = {}): StillRingInput {
  const rim = new Uint8Array(W * H);
  for (let y = 10; y < 50; y++) for (let x = 40; x < 46; x++) rim[y * W + x] = 1;
  return {
    width: W, height: H,
    picture: rgb((x) => (x % 4 < 2 ? [200, 40, 40] : [40, 200, 40])),
    plate: rgb(() => [120, 120, 120]),
    rim, rest: Float32Array.from([38, 30, 70, 30]), seeds: Uint8Array.from([1, 1]),
    window: { x0: 0, y0: 0, kx: 1, ky: 1 },
    ...over,
  };
}

describe('still ring', () => {
  it('keeps rim pixels near a seed vertex, each with the nearest one, and leaves out pixels out of reach', () => {
    const ring = buildStillRing(scene());
    // The reach is 2.5% of the 60 px short side, 1.5 px: the band (x ≥ 40) is 2 px from (38, 30).
    expect(ring.pixels.length).toBe(0);
    const near = buildStillRing(scene({ rest: Float32Array.from([41, 30, 70, 30]) }));
    expect(near.pixels.length).toBeGreaterThan(0);
    for (let i = 0; i < near.pixels.length; i++) {
      const x = near.pixels[i] % W; const y = Math.floor(near.pixels[i] / W);
      expect(Math.hypot(x - 41, y - 30)).toBeLessThanOrEqual(1.5);
      expect(near.vertex[i]).toBe(0);
    }
  });

  it('shows the picture while the vertex is home, the plate once it moved, and blends between', () => {
    const input = scene({ rest: Float32Array.from([43, 30, 70, 30]) });
    const wide = buildStillRing(input);
    expect(wide.pixels.length).toBeGreaterThan(0);
    const canvas = Uint8Array.from(input.plate);
    applyStillRing(canvas, wide, (v) => [wide.home[2 * v], wide.home[2 * v + 1]]);
    for (const p of wide.pixels) for (let k = 0; k < 3; k++) expect(canvas[3 * p + k]).toBe(input.picture[3 * p + k]);
    // Outside the ring the plate is untouched.
    expect(canvas[3 * (5 * W + 5)]).toBe(120);
    const moved = Uint8Array.from(input.plate);
    applyStillRing(moved, wide, (v) => [wide.home[2 * v] + 10, wide.home[2 * v + 1]]);
    expect(Buffer.from(moved).equals(Buffer.from(input.plate))).toBe(true);
    expect(stillShare(wide, 0)).toBe(1);
    expect(stillShare(wide, wide.moved)).toBe(0);
    const mid = stillShare(wide, (wide.still + wide.moved) / 2);
    expect(mid).toBeGreaterThan(0.3);
    expect(mid).toBeLessThan(0.7);
  });

  it('leaves out rim pixels the plate already matches, and vertices that are not seeds', () => {
    const input = scene({ rest: Float32Array.from([43, 30, 70, 30]) });
    const same = buildStillRing({ ...input, plate: Uint8Array.from(input.picture) });
    expect(same.pixels.length).toBe(0);
    const unseeded = buildStillRing({ ...input, seeds: Uint8Array.from([0, 1]) });
    expect(unseeded.pixels.length).toBe(0);
  });

  it('maps vertex homes through the plate window', () => {
    const ring = buildStillRing(scene({ window: { x0: 10, y0: 4, kx: 0.5, ky: 0.5 } }));
    expect(ring.home[0]).toBeCloseTo((38 + 0.5 - 10) * 0.5 - 0.5, 6);
    expect(ring.home[1]).toBeCloseTo((30 + 0.5 - 4) * 0.5 - 0.5, 6);
  });
});

describe('still ring through the frame renderer', () => {
  it('draws the picture itself round a character at rest, and the plate once the arm moved away', () => {
    const f = standardFigure();
    const m = figureMask(f);
    const rand = rng(5);
    const data = new Uint8Array(f.width * f.height * 3);
    // Textured ground so the plate's fill differs from the picture everywhere it filled.
    for (let i = 0; i < f.width * f.height; i++) data.set(m.data[i] ? [200, 60, 90] : [40 + Math.round(rand() * 170), 120, 60], 3 * i);
    const ch = assembleCharacter({ width: f.width, height: f.height, channels: 3, data },
      refineMask({ width: f.width, height: f.height, data: Float32Array.from(m.data) }), f.joints, JOINTS.map(() => true), 'alpha', 'pose-model');
    const layout = { orientation: 'image' as const, width: f.width, height: f.height, cover: null };
    const plate = preparePlate(ch.plate, layout);
    const ring = prepareStillRing(ch, plate, layout);
    expect(ring.pixels.length).toBeGreaterThan(50);
    const frame = (joints: Float64Array): RetargetPlan => ({
      canvasWidth: f.width, canvasHeight: f.height, transform: { scale: 1, dx: 0, dy: 0 },
      frames: [{ joints, mirror: false, order: [...DEFAULT_LAYER_ORDER], headTwist: 0 }],
    });
    const posed = new Float32Array(ch.rig.rest.length);
    const atRest = renderFrame(ch, frame(Float64Array.from(f.joints)), 0, plate, posed, ring);
    const without = renderFrame(ch, frame(Float64Array.from(f.joints)), 0, plate, posed, null);
    const error = (img: Uint8Array) => ring.pixels.reduce((s, p) => s + Math.abs(img[3 * p] - data[3 * p]), 0) / ring.pixels.length;
    // The rim is the picture's own ground again (up to the character's soft edge drawn over it)…
    expect(error(atRest)).toBeLessThan(0.25 * error(without));
    // …and the whole figure moved 30 px to the right shows the plate there, not the picture.
    const moved = Float64Array.from(f.joints, (v, i) => (i % 2 === 0 ? v + 30 : v));
    const away = renderFrame(ch, frame(moved), 0, plate, posed, ring);
    const awayWithout = renderFrame(ch, frame(moved), 0, plate, posed, null);
    expect(Buffer.from(away).equals(Buffer.from(awayWithout))).toBe(true);
  });

  it('given how the character is drawn at rest, shows a soft edge at rest as the picture has it', () => {
    const f = standardFigure();
    const m = figureMask(f);
    const { width: w, height: h } = f;
    // A soft outline: the mask box-blurred over 7 px, and the picture the mix of figure and ground it says.
    const soft = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let sum = 0; let n = 0;
        for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) {
          const xx = x + dx; const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          sum += m.data[yy * w + xx]; n++;
        }
        soft[y * w + x] = sum / n;
      }
    }
    const rand = rng(8);
    const data = new Uint8Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const a = soft[i]; const g = [40 + Math.round(rand() * 170), 120, 60]; const fg = [200, 60, 90];
      for (let c = 0; c < 3; c++) data[3 * i + c] = Math.round(a * fg[c] + (1 - a) * g[c]);
    }
    const ch = assembleCharacter({ width: w, height: h, channels: 3, data }, refineMask({ width: w, height: h, data: soft }),
      f.joints, JOINTS.map(() => true), 'person-model', 'pose-model');
    const layout = { orientation: 'image' as const, width: w, height: h, cover: null };
    const plate = preparePlate(ch.plate, layout);
    const transform = { scale: 1, dx: 0, dy: 0 };
    const plan: RetargetPlan = {
      canvasWidth: w, canvasHeight: h, transform,
      frames: [{ joints: Float64Array.from(f.joints), mirror: false, order: [...DEFAULT_LAYER_ORDER], headTwist: 0 }],
    };
    const posed = new Float32Array(ch.rig.rest.length);
    const unmixed = renderFrame(ch, plan, 0, plate, posed, prepareStillRing(ch, plate, layout, { transform, order: [...DEFAULT_LAYER_ORDER] }));
    const rimOnly = renderFrame(ch, plan, 0, plate, posed, prepareStillRing(ch, plate, layout));
    // Over the soft edge (the picture a mix of figure and ground), away from the picture's border.
    let band = 0; let errUnmixed = 0; let errRim = 0;
    for (let y = 4; y < h - 4; y++) {
      for (let x = 4; x < w - 4; x++) {
        const i = y * w + x;
        if (!(soft[i] > 0.1 && soft[i] < 0.9)) continue;
        band++;
        for (let c = 0; c < 3; c++) { errUnmixed += Math.abs(unmixed[3 * i + c] - data[3 * i + c]); errRim += Math.abs(rimOnly[3 * i + c] - data[3 * i + c]); }
      }
    }
    expect(band).toBeGreaterThan(500);
    expect(errUnmixed / (3 * band)).toBeLessThan(0.3 * errRim / (3 * band));
    expect(errUnmixed / (3 * band)).toBeLessThan(3);
  });
});

describe('enclosedGaps', () => {
  it('marks background the hole closes in (between two legs joined at the hips and the feet), not background open to the border', () => {
    const w = 40; const h = 30;
    const data = new Uint8Array(w * h);
    // Two legs (columns 10–14 and 25–29) joined at the top (rows 5–8) and the bottom (rows 22–24).
    for (let y = 5; y < 25; y++) for (let x = 10; x < 30; x++) {
      if (y < 9 || y > 21 || x < 15 || x >= 25) data[y * w + x] = 1;
    }
    const gaps = enclosedGaps({ width: w, height: h, data });
    let inside = 0; let wrong = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const between = y >= 9 && y <= 21 && x >= 15 && x < 25;
      if (between) inside += gaps[y * w + x]; else wrong += gaps[y * w + x];
    }
    expect(inside).toBe(13 * 10);
    expect(wrong).toBe(0);
    // Opened at the feet, the gap reaches the border through the opening: none is enclosed.
    for (let x = 15; x < 25; x++) for (let y = 22; y < 25; y++) data[y * w + x] = 0;
    expect(enclosedGaps({ width: w, height: h, data }).some((v) => v === 1)).toBe(false);
  });
});
