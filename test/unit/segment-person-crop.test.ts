import { describe, expect, it } from 'vitest';
import { cropImage, pasteMask, personCrop } from '../../src/engine/segment/person-crop.js';
import type { Pose } from '../../src/engine/types.js';

/** 17 keypoints spread over a box (x0..x1, y0..y1), all confident. */
function poseIn(x0: number, y0: number, x1: number, y1: number): Pose {
  return Array.from({ length: 17 }, (_, k) => ({ x: x0 + ((k % 3) / 2) * (x1 - x0), y: y0 + (k / 16) * (y1 - y0), score: 0.9 }));
}

describe('personCrop', () => {
  it('takes a square around a person standing in a wide picture, with room for hair and feet', () => {
    const r = personCrop(poseIn(600, 200, 680, 600), 1280, 720)!;
    expect(r.width).toBe(r.height);
    expect(r.y).toBeLessThanOrEqual(200 - 0.3 * 400);
    expect(r.x).toBeLessThanOrEqual(600 - 0.3 * 400 + 1);
    expect(r.x + r.width).toBeGreaterThanOrEqual(680 + 0.3 * 400 - 1);
    expect(r.y + r.height).toBeLessThanOrEqual(720);
  });

  it('takes a crop as square as the image allows for a bust filling a wide picture', () => {
    const r = personCrop(poseIn(500, 250, 780, 720), 1280, 720)!;
    expect(r.y + r.height).toBe(720); // to the cut edge
    expect(r.width).toBe(r.height); // unsqueezed, where the whole picture is 16:9
    expect(r.x).toBeLessThanOrEqual(500 - 0.3 * 470 + 1);
  });

  it('gives up when the person fills a picture that is not squeezed', () => {
    expect(personCrop(poseIn(100, 100, 900, 1800), 1080, 1920)).toBeNull();
    expect(personCrop(poseIn(100, 100, 900, 1800).map((p) => ({ ...p, score: 0.1 })), 1080, 1920)).toBeNull();
  });
});

describe('cropImage and pasteMask', () => {
  it('cuts a rectangle out and puts a mask of it back in place', () => {
    const image = { width: 4, height: 3, channels: 3 as const, data: Uint8Array.from({ length: 36 }, (_, i) => Math.floor(i / 3)) };
    const r = { x: 1, y: 1, width: 2, height: 2 };
    expect(Array.from(cropImage(image, r).data)).toEqual([5, 5, 5, 6, 6, 6, 9, 9, 9, 10, 10, 10]);
    const whole = { width: 4, height: 3, data: new Float32Array(12).fill(0.25) };
    const out = pasteMask(whole, { width: 2, height: 2, data: Float32Array.from([1, 1, 0, 1]) }, r);
    expect(Array.from(out.data)).toEqual([0.25, 0.25, 0.25, 0.25, 0.25, 1, 1, 0.25, 0.25, 0, 1, 0.25]);
  });
});
