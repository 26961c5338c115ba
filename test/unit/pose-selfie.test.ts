import { describe, expect, it } from 'vitest';
import { SELFIE_SIZE, selfieInput, selfieMask } from '../../src/engine/segment/selfie.js';

describe('selfie segmentation pre/post-processing', () => {
  it('stretches the image to the model square as 0..1 floats', () => {
    const img = { width: 512, height: 1024, channels: 3 as const, data: new Uint8Array(512 * 1024 * 3).fill(51) };
    const x = selfieInput(img);
    expect(x).toHaveLength(SELFIE_SIZE * SELFIE_SIZE * 3);
    for (let i = 0; i < x.length; i += 997) expect(x[i]).toBeCloseTo(0.2, 5);
  });

  it('brings the probability map to the image size, clamped to 0..1', () => {
    const prob = new Float32Array(SELFIE_SIZE * SELFIE_SIZE);
    for (let y = 0; y < SELFIE_SIZE; y++) for (let x = 0; x < SELFIE_SIZE; x++) prob[y * SELFIE_SIZE + x] = x < 128 ? 1.2 : -0.1;
    const m = selfieMask(prob, 100, 50);
    expect([m.width, m.height, m.data.length]).toEqual([100, 50, 5000]);
    expect(m.data[10 * 100 + 5]).toBe(1);
    expect(m.data[10 * 100 + 95]).toBe(0);
    expect(() => selfieMask(new Float32Array(10), 4, 4)).toThrow(/expected 256x256/);
  });
});
