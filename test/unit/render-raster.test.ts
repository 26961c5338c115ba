import { describe, expect, it } from 'vitest';
import { warmUpRasteriser } from '../../src/engine/render/raster.js';
import { drawRig, makeCharacterTexture, type PremultipliedTexture, type RgbCanvas } from '../../src/engine/render/index.js';
import { boneTransforms, buildRig, deformRig, type Rig } from '../../src/engine/rig/index.js';
import { DEFAULT_LAYER_ORDER, JOINT_INDEX as J, type PartGroup } from '../../src/engine/rig/skeleton.js';
import { erode, refineMask } from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';
import { armDownFigure, drawingImage, figureMask, standardFigure } from './rig-figure.js';

const ORDER: PartGroup[] = [...DEFAULT_LAYER_ORDER];
const blank = (w: number, h: number, v = 0): RgbCanvas => ({ width: w, height: h, data: new Uint8Array(w * h * 3).fill(v) });

function solidTexture(w: number, h: number, rgb: [number, number, number], alpha: number): PremultipliedTexture {
  const data = new Float32Array(w * h * 4);
  for (let i = 0; i < w * h; i++) { data[4 * i] = rgb[0] * alpha; data[4 * i + 1] = rgb[1] * alpha; data[4 * i + 2] = rgb[2] * alpha; data[4 * i + 3] = alpha; }
  return { width: w, height: h, data };
}

/** A quad split along a diagonal: one group, the diagonal an interior edge, the rest silhouette. */
function quadRig(pts: number[]): Rig {
  const rest = Float32Array.from(pts);
  return {
    width: 100, height: 100, rest, uv: rest, copyKind: Int8Array.from([-1, -1]),
    layers: { width: 100, height: 100, own: new Int8Array(10000), hidden: new Int8Array(10000).fill(-1), opacity: new Uint8Array(10000) }, triangles: Uint32Array.from([0, 1, 2, 0, 2, 3]),
    triangleBone: Uint8Array.from([J.neck, J.neck]),
    weights: { bones: new Uint8Array(16).fill(J.neck), w: Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]), perVertex: 4 },
    // Triangle 0 edges: 0→1, 1→2, 2→0 (diagonal); triangle 1: 0→2 (diagonal), 2→3, 3→0.
    boundaryEdge: Uint8Array.from([1, 1, 0, 0, 1, 1]),
    restJoints: new Float64Array(30),
  };
}

describe('drawRig', () => {
  const f = standardFigure();
  const mask = figureMask(f);
  const img = drawingImage(f, 11);
  const refined = refineMask({ width: f.width, height: f.height, data: Float32Array.from(mask.data) });
  const rig = buildRig(refined.binary, f.joints);
  const tex = makeCharacterTexture(img, refined.soft);

  it('reproduces the texture with identity transforms', () => {
    const canvas = blank(f.width, f.height);
    drawRig(canvas, tex, rig, rig.rest, { order: ORDER });
    const inner = erode(refined.binary, 2);
    let err = 0; let n = 0;
    for (let i = 0; i < inner.data.length; i++) {
      if (!inner.data[i]) continue;
      for (let c = 0; c < 3; c++) { err += Math.abs(canvas.data[3 * i + c] - img.data[3 * i + c]); n++; }
    }
    expect(n).toBeGreaterThan(10_000);
    expect(err / n).toBeLessThan(2);
    // Outside the silhouette (2 px away) nothing is drawn.
    const far = erode({ width: f.width, height: f.height, data: mask.data.map((v) => 1 - v) }, 2);
    for (let i = 0; i < far.data.length; i++) if (far.data[i]) expect(canvas.data[3 * i]).toBe(0);
  });

  it('draws the same pixels after the warm-up (its scratch state leaks into no later triangle)', () => {
    const posed = deformRig(rig, boneTransforms(rig.restJoints, armDownFigure().joints));
    const before = blank(f.width, f.height, 40);
    drawRig(before, tex, rig, posed, { order: ORDER, transform: { scale: 0.8, dx: 3.3, dy: -2.6 } });
    warmUpRasteriser(500);
    const after = blank(f.width, f.height, 40);
    drawRig(after, tex, rig, posed, { order: ORDER, transform: { scale: 0.8, dx: 3.3, dy: -2.6 } });
    expect(Buffer.from(after.data).equals(Buffer.from(before.data))).toBe(true);
    expect(after.data.some((v) => v !== 40)).toBe(true);
  });

  it('ramps coverage at the outline', () => {
    const white = makeCharacterTexture({ width: f.width, height: f.height, channels: 3, data: new Uint8Array(f.width * f.height * 3).fill(255) }, refined.soft);
    const canvas = blank(f.width, f.height);
    drawRig(canvas, white, rig, rig.rest, { order: ORDER });
    // Row 170 crosses the torso's left side at x = 122.
    const row = Array.from({ length: 10 }, (_, k) => canvas.data[3 * (170 * f.width + 117 + k)]);
    expect(row[0]).toBe(0);
    expect(row[9]).toBe(255);
    for (let k = 1; k < row.length; k++) expect(row[k]).toBeGreaterThanOrEqual(row[k - 1]);
    expect(row.some((v) => v > 0 && v < 255)).toBe(true);
  });

  it('leaves no crack and no double blend along a shared edge', () => {
    const rigQ = quadRig([10, 12, 80, 5, 90, 88, 6, 70]);
    for (const alpha of [1, 0.5]) {
      const canvas = blank(200, 200);
      const t = { scale: 1.73, dx: 4.31, dy: 2.17 };
      drawRig(canvas, solidTexture(100, 100, [255, 255, 255], alpha), rigQ, rigQ.rest, { order: ['trunk'], transform: t });
      const expected = Math.round(255 * alpha);
      // Along the diagonal (vertex 0 → vertex 2), away from the outline.
      for (let s = 0.1; s <= 0.9; s += 0.005) {
        const x = t.scale * (10 + s * 80) + t.dx + (t.scale - 1) / 2;
        const y = t.scale * (12 + s * 76) + t.dy + (t.scale - 1) / 2;
        for (const [px, py] of [[Math.floor(x), Math.floor(y)], [Math.ceil(x), Math.ceil(y)], [Math.floor(x), Math.ceil(y)], [Math.ceil(x), Math.floor(y)]]) {
          expect(Math.abs(canvas.data[3 * (py * 200 + px)] - expected), `at ${px},${py} alpha ${alpha}`).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('mirrors about the canvas centre', () => {
    const a = blank(400, 420); const b = blank(400, 420);
    const t = { scale: 1, dx: 30, dy: 0 };
    drawRig(a, tex, rig, rig.rest, { order: ORDER, transform: t });
    drawRig(b, tex, rig, rig.rest, { order: ORDER, transform: { ...t, mirror: true } });
    let diff = 0;
    for (let y = 0; y < 420; y++) for (let x = 0; x < 400; x++) for (let c = 0; c < 3; c++) diff += Math.abs(a.data[3 * (y * 400 + x) + c] - b.data[3 * (y * 400 + 399 - x) + c]);
    expect(diff / (400 * 420 * 3)).toBeLessThan(0.05);
  });

  it('draws groups back to front in the given order', () => {
    const fa = armDownFigure();
    const m = figureMask(fa);
    const rigA = buildRig(m, fa.joints);
    // Arm red, everything else blue.
    const data = new Uint8Array(fa.width * fa.height * 3);
    for (let y = 0; y < fa.height; y++) {
      for (let x = 0; x < fa.width; x++) {
        const i = 3 * (y * fa.width + x);
        if (x > fa.torso.x1 - 6 && y > 115 && y < 240) data[i] = 255; else data[i + 2] = 255;
      }
    }
    const texA = makeCharacterTexture({ width: fa.width, height: fa.height, channels: 3, data } as RasterImage,
      { width: fa.width, height: fa.height, data: Float32Array.from(m.data) });
    // Swing the forearm across the torso.
    const posed = Float64Array.from(fa.joints);
    posed[2 * J.l_wrist] = 150; posed[2 * J.l_wrist + 1] = 190;
    const verts = deformRig(rigA, boneTransforms(fa.joints, posed));
    const cx = Math.round((fa.joints[2 * J.l_elbow] + 150) / 2 - 10); const cy = Math.round((fa.joints[2 * J.l_elbow + 1] + 190) / 2 + 3);
    const front = blank(fa.width, fa.height);
    drawRig(front, texA, rigA, verts, { order: ['trunk', 'l_upper_arm', 'l_forearm'] });
    const back = blank(fa.width, fa.height);
    drawRig(back, texA, rigA, verts, { order: ['l_upper_arm', 'l_forearm', 'trunk'] });
    const i = 3 * (cy * fa.width + cx);
    expect(front.data[i]).toBeGreaterThan(200);
    expect(back.data[i + 2]).toBeGreaterThan(200);
  });
});

describe('drawRig and the hidden parts', () => {
  it('draws no hidden part at rest, where its hider still lies over it, and shows it where the hider moved off', () => {
    const fa = armDownFigure();
    const m = figureMask(fa);
    const rigA = buildRig(m, fa.joints);
    const image = drawingImage(fa, 3);
    const tex = makeCharacterTexture(image, { width: fa.width, height: fa.height, data: Float32Array.from(m.data) });
    // What the layers hid, in a colour found nowhere else.
    const green = solidTexture(fa.width, fa.height, [0, 255, 0], 1);
    const isGreen = (c: RgbCanvas, i: number) => c.data[3 * i + 1] > 200 && c.data[3 * i] < 60 && c.data[3 * i + 2] < 60;
    const count = (c: RgbCanvas) => { let n = 0; for (let i = 0; i < fa.width * fa.height; i++) if (isGreen(c, i)) n++; return n; };
    const atRest = blank(fa.width, fa.height); const plain = blank(fa.width, fa.height);
    drawRig(atRest, tex, rigA, rigA.rest, { order: ORDER, hiddenTexture: green });
    drawRig(plain, tex, rigA, rigA.rest, { order: ORDER });
    expect(Buffer.from(atRest.data).equals(Buffer.from(plain.data))).toBe(true);
    // The forearm swung across the torso: what it lay over shows the hidden part.
    const posed = Float64Array.from(fa.joints);
    posed[2 * J.l_wrist] = 150; posed[2 * J.l_wrist + 1] = 190;
    const verts = deformRig(rigA, boneTransforms(fa.joints, posed));
    const moved = blank(fa.width, fa.height);
    drawRig(moved, tex, rigA, verts, { order: ['l_upper_arm', 'l_forearm', 'trunk'], hiddenTexture: green });
    expect(count(moved)).toBeGreaterThan(50);
  });
});

describe('drawRig on a shrunk character', () => {
  it('picks the mip level whose texels cover at most a canvas pixel', async () => {
    const { mipLevel } = await import('../../src/engine/render/raster.js');
    expect([1, 0.6, 0.5, 0.49, 0.3, 0.25, 0.1, 0, Number.NaN].map(mipLevel)).toEqual([0, 0, 0, 1, 1, 2, 2, 0, 0]);
  });

  it('draws fine stripes at a quarter as their mean grey, inside the same outline', () => {
    const w = 100; const h = 100;
    const data = new Float32Array(w * h * 4);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      // 2-px stripes placed so that bilinear taps at a quarter's sample points (4x + 1.5) all fall on white.
      const v = x % 4 === 1 || x % 4 === 2 ? 255 : 0;
      const i = 4 * (y * w + x); data[i] = v; data[i + 1] = v; data[i + 2] = v; data[i + 3] = 1;
    }
    const rig = quadRig([10, 10, 90, 10, 90, 90, 10, 90]);
    const canvas = blank(40, 40, 50);
    drawRig(canvas, { width: w, height: h, data }, rig, rig.rest, { order: ORDER, transform: { scale: 0.25, dx: 0, dy: 0 } });
    // Picture px 10..90 land on canvas px 2.5..22.5: inside, every pixel is the mean (127.5), not the aliased white.
    for (let y = 5; y <= 20; y++) for (let x = 5; x <= 20; x++) expect(Math.abs(canvas.data[3 * (y * 40 + x)] - 127.5)).toBeLessThan(2);
    // Outside the quad the canvas is untouched.
    for (const [x, y] of [[0, 0], [25, 12], [12, 25], [39, 39]]) expect(canvas.data[3 * (y * 40 + x)]).toBe(50);
  });
});
