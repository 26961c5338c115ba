import { describe, expect, it } from 'vitest';
import { joinedLegsFraction } from '../../src/engine/rig/labels.js';
import { JOINTS, JOINT_INDEX as J } from '../../src/engine/rig/skeleton.js';

const W = 100; const H = 160;
const present = JOINTS.map(() => true);

function joints(hipSpread: number): Float64Array {
  const j = new Float64Array(2 * JOINTS.length);
  const set = (k: number, x: number, y: number) => { j[2 * k] = x; j[2 * k + 1] = y; };
  set(J.l_hip, 50 + hipSpread, 50); set(J.r_hip, 50 - hipSpread, 50);
  set(J.l_knee, 50 + hipSpread, 100); set(J.r_knee, 50 - hipSpread, 100);
  set(J.l_ankle, 50 + hipSpread, 150); set(J.r_ankle, 50 - hipSpread, 150);
  return j;
}

/** A lower body: joined from the waist (y 40) down to `joinedTo`, two legs below; colours per row. */
function body(joinedTo: number, colourAt: (y: number) => [number, number, number], spread = 10) {
  const grid = new Uint8Array(W * H);
  const rgb = new Float32Array(W * H * 3);
  for (let y = 40; y < 155; y++) {
    for (let x = 0; x < W; x++) {
      const inLeg = Math.abs(x - (50 + spread)) <= 7 || Math.abs(x - (50 - spread)) <= 7;
      const inside = y < joinedTo ? x >= 50 - spread - 9 && x <= 50 + spread + 9 : inLeg;
      if (!inside) continue;
      grid[y * W + x] = 1;
      rgb.set(colourAt(y), 3 * (y * W + x));
    }
  }
  return { grid, rgb };
}

describe('joinedLegsFraction (skirts stay with the trunk, trousers part)', () => {
  it('finds a skirt\'s hem: joined to 60% of the thigh, legs of another colour below', () => {
    const { grid, rgb } = body(80, (y) => (y < 80 ? [200, 30, 40] : [230, 190, 160]));
    const t = joinedLegsFraction(grid, rgb, W, H, 1, joints(10), present);
    expect(t).toBeGreaterThanOrEqual(0.5);
    expect(t).toBeLessThan(0.62);
  });

  it('leaves trousers joined down to the knees alone (the same cloth goes on below)', () => {
    const { grid, rgb } = body(95, () => [40, 90, 160]);
    expect(joinedLegsFraction(grid, rgb, W, H, 1, joints(10), present)).toBe(0);
  });

  it('leaves ordinary trousers alone (they part just below the hips)', () => {
    const { grid, rgb } = body(58, (y) => (y < 58 ? [40, 90, 160] : [230, 190, 160]));
    expect(joinedLegsFraction(grid, rgb, W, H, 1, joints(10), present)).toBe(0);
  });

  it('cannot tell in a side view (the thighs overlap) and says 0', () => {
    const { grid, rgb } = body(80, (y) => (y < 80 ? [200, 30, 40] : [230, 190, 160]), 2);
    expect(joinedLegsFraction(grid, rgb, W, H, 1, joints(2), present)).toBe(0);
  });
});
