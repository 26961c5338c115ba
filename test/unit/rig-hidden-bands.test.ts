import { describe, expect, it } from 'vitest';
import { bandOpacity, layerMaps } from '../../src/engine/rig/hidden.js';
import { JOINTS, groupIndex } from '../../src/engine/rig/skeleton.js';

describe('layerMaps: bands along borders', () => {
  // A 200 px tall character: trunk on the left half of a block, the left upper arm beside it on
  // the right, the head above both. No joints are present, so only the bands apply.
  const w = 120; const h = 220;
  const trunk = groupIndex('trunk'); const arm = groupIndex('l_upper_arm'); const head = groupIndex('head');
  const own = new Int8Array(w * h).fill(-1);
  for (let y = 10; y < 210; y++) for (let x = 20; x < 100; x++) own[y * w + x] = y < 60 ? head : x < 60 ? trunk : arm;
  const maps = layerMaps(own, w, h, new Float64Array(2 * JOINTS.length), JOINTS.map(() => false));
  const at = (x: number, y: number) => maps.hidden[y * w + x];

  it('hides a band of the limb for the body beside it (trunk and head)', () => {
    expect(at(60, 120)).toBe(trunk);
    expect(at(61, 120)).toBe(trunk); // 1.2% of 200 px is 2.4, at least 3 px
    expect(at(63, 120)).toBe(-1);
    expect(at(80, 60)).toBe(head);
  });

  it('never hides the body for a limb (it would turn with the limb and stick out)', () => {
    expect(at(59, 120)).toBe(-1);
    expect(at(80, 59)).toBe(-1);
    expect(at(40, 60)).toBe(-1); // and the trunk keeps no copy of the head
  });

  it('keeps a band opaque over its inner half and fades it out over the outer half', () => {
    const op = (x: number, y: number) => maps.opacity[y * w + x];
    expect(op(60, 120)).toBe(255); // 1 px from the trunk, band 3 px
    expect(op(61, 120)).toBe(bandOpacity(2, 3));
    expect(op(61, 120)).toBeGreaterThan(0);
    expect(op(61, 120)).toBeLessThan(255);
    expect(op(63, 120)).toBe(0); // not hidden
    expect(bandOpacity(0.5, 10)).toBe(255);
    expect(bandOpacity(7.5, 10)).toBe(128);
    expect(bandOpacity(10, 10)).toBe(0);
  });
});
