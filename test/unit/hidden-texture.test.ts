import { describe, expect, it } from 'vitest';
import { assembleCharacter } from '../../src/engine/character.js';
import { buildHiddenTexture } from '../../src/engine/hidden-texture.js';
import { JOINTS, JOINT_INDEX as J, groupIndex } from '../../src/engine/rig/skeleton.js';
import { refineMask } from '../../src/engine/segment/index.js';
import { figureMask, standardFigure } from './rig-figure.js';

describe('hidden texture: a limb\'s top continues the limb', () => {
  it('draws a two-coloured thigh\'s colours on back into the hips, each on its own side', () => {
    const f = standardFigure();
    const { width: w, height: h } = f;
    const m = figureMask(f);
    const [hx, hy, kx, ky] = [f.joints[2 * J.r_hip], f.joints[2 * J.r_hip + 1], f.joints[2 * J.r_knee], f.joints[2 * J.r_knee + 1]];
    // Signed distance across the right thigh's axis (negative: image left).
    const across = (x: number, y: number) => ((x - hx) * (ky - hy) - (y - hy) * (kx - hx)) / Math.hypot(kx - hx, ky - hy);
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const torso = x >= f.torso.x0 && x <= f.torso.x1 && y >= f.torso.y0 && y <= f.torso.y1;
        const thigh = !torso && y > f.torso.y1 && y < ky && Math.abs(x - hx) < 30;
        const rgb = !m.data[i] ? [128, 128, 128] : torso ? [200, 60, 60] : thigh ? (across(x, y) < 0 ? [240, 220, 40] : [40, 60, 220]) : [90, 160, 90];
        data.set(rgb, 3 * i);
      }
    }
    const refined = refineMask({ width: w, height: h, data: Float32Array.from(m.data) });
    const ch = assembleCharacter({ width: w, height: h, channels: 3, data }, refined, f.joints, JOINTS.map(() => true), 'alpha', 'pose-model');
    const { hidden } = ch.rig.layers;
    const tex = ch.hiddenTexture!;
    const thighLayer = groupIndex('r_thigh');
    let checked = 0;
    for (let y = hy - 8; y <= hy + 4; y++) {
      for (let x = hx - 9; x <= hx + 9; x++) {
        const i = y * w + x;
        const d = across(x, y);
        if (hidden[i] !== thighLayer || Math.abs(d) < 3) continue;
        const a = tex.data[4 * i + 3];
        const [r, , b] = [tex.data[4 * i] / a, tex.data[4 * i + 1] / a, tex.data[4 * i + 2] / a];
        if (d < 0) { expect(r).toBeGreaterThan(200); expect(b).toBeLessThan(80); } else { expect(b).toBeGreaterThan(190); expect(r).toBeLessThan(80); }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('with a drawing\'s texture, a limb\'s top is only as opaque as the limb\'s pixel it continues', () => {
    const f = standardFigure();
    const { width: w, height: h } = f;
    const m = figureMask(f);
    const data = new Uint8Array(w * h * 3).fill(200);
    const refined = refineMask({ width: w, height: h, data: Float32Array.from(m.data) });
    const ch = assembleCharacter({ width: w, height: h, channels: 3, data }, refined, f.joints, JOINTS.map(() => true), 'alpha', 'pose-model');
    // A drawing's texture: ink at a fifth of full opacity everywhere in the figure.
    const texture = { width: w, height: h, data: new Float32Array(w * h * 4) };
    for (let i = 0; i < w * h; i++) if (m.data[i]) { texture.data.fill(0.2 * 200, 4 * i, 4 * i + 3); texture.data[4 * i + 3] = 0.2; }
    const image = { width: w, height: h, channels: 3 as const, data };
    const plain = buildHiddenTexture(image, ch.rig)!;
    const drawn = buildHiddenTexture(image, ch.rig, texture)!;
    const { hidden } = ch.rig.layers;
    const limbs = new Set(['l_upper_arm', 'r_upper_arm', 'l_thigh', 'r_thigh'].map((g) => groupIndex(g as Parameters<typeof groupIndex>[0])));
    let opaque = 0, n = 0;
    for (let i = 0; i < w * h; i++) {
      if (!limbs.has(hidden[i])) continue;
      n++;
      if (plain.data[4 * i + 3] > 0.9) opaque++;
      expect(drawn.data[4 * i + 3]).toBeLessThanOrEqual(0.2 + 1e-6);
    }
    expect(n).toBeGreaterThan(100);
    // Without it, the layer's opacity alone: mostly opaque.
    expect(opaque).toBeGreaterThan(0.5 * n);
  });
});
