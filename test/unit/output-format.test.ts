import { describe, expect, it } from 'vitest';
import { analysisSize, coverFit, outputFps, outputSize } from '../../src/engine/output-format.js';
import { ProgressTracker } from '../../src/engine/progress.js';
import type { EngineProgress } from '../../src/engine/types.js';

describe('output format', () => {
  it('sets the short side to 720 px with even sides, keeping the aspect ratio', () => {
    expect(outputSize(1080, 1920)).toEqual({ width: 720, height: 1280 });
    expect(outputSize(1920, 1080)).toEqual({ width: 1280, height: 720 });
    expect(outputSize(508, 602)).toEqual({ width: 720, height: 854 });
  });
  it('never upscales more than 2x', () => {
    expect(outputSize(300, 400)).toEqual({ width: 600, height: 800 });
    expect(outputSize(301, 301)).toEqual({ width: 602, height: 602 });
  });
  it('caps the frame rate at 30 fps', () => {
    expect(outputFps(50)).toBe(30);
    expect(outputFps(24)).toBe(24);
    expect(outputFps(29.97)).toBe(29.97);
    expect(outputFps(NaN)).toBe(30);
  });
  it('decodes for analysis at 360 px short side, never upscaling', () => {
    expect(analysisSize(1080, 1920)).toEqual({ width: 360, height: 640 });
    expect(analysisSize(320, 480)).toEqual({ width: 320, height: 480 });
  });
  it('cover-fits an image into a canvas, centred', () => {
    const f = coverFit(1280, 720, 720, 1280);
    expect(f.scale).toBeCloseTo(1280 / 720);
    expect(f.dy).toBeCloseTo(0);
    expect(f.dx).toBeCloseTo((720 - 1280 * f.scale) / 2);
    // A tall image into a wide canvas keeps its bottom edge (the ground) when asked.
    const g = coverFit(720, 1280, 1280, 720, 'bottom');
    expect(g.scale).toBeCloseTo(1280 / 720);
    expect(g.dy).toBeCloseTo(720 - 1280 * g.scale);
    expect(coverFit(720, 1280, 1280, 720).dy).toBeCloseTo((720 - 1280 * g.scale) / 2);
  });
});

describe('ProgressTracker', () => {
  it('is monotonic, stays below 1 and estimates the time left from the rate so far', () => {
    const seen: EngineProgress[] = [];
    let now = 0;
    const p = new ProgressTracker((e) => seen.push(e), () => now);
    p.report('probe', 0);
    now = 1000; p.report('character', 1);
    now = 2000; p.report('motion', 0.5);
    now = 2500; p.report('motion', 0.2); // a late, smaller report never moves the bar back
    now = 4000; p.report('render', 1);
    const fr = seen.map((e) => e.fraction);
    for (let i = 1; i < fr.length; i++) expect(fr[i]).toBeGreaterThanOrEqual(fr[i - 1]);
    expect(Math.max(...fr)).toBeLessThan(1);
    const mid = seen[2];
    expect(mid.etaSeconds).toBeDefined();
    expect(mid.etaSeconds!).toBeCloseTo((2 / mid.fraction) * (1 - mid.fraction), 0);
  });
});

describe('motion analysis grid', async () => {
  const { analysisStride, outputFrameCount, upsampleTrack } = await import('../../src/engine/motion.js');
  it('analyses at 15 fps or more', () => {
    expect(analysisStride(30)).toBe(2);
    expect(analysisStride(29.97)).toBe(2);
    expect(analysisStride(24)).toBe(1);
    expect(analysisStride(12)).toBe(1);
  });
  it('counts output frames from the clip, never fewer than the analysed ones cover', () => {
    expect(outputFrameCount(10, 30, 150, 2)).toBe(300);
    expect(outputFrameCount(6.12, 24, 147, 1)).toBe(147);
  });
  it('interpolates poses between analysed frames at their exact instants', () => {
    const pose = (x: number) => Array.from({ length: 17 }, () => ({ x, y: 2 * x, score: 1 }));
    const up = upsampleTrack({ width: 10, height: 10, fps: 15, poses: [pose(0), pose(10), pose(20)] }, 2, 6, 30);
    expect(up.fps).toBe(30);
    expect(up.poses.map((p) => p[3].x)).toEqual([0, 5, 10, 15, 20, 20]);
    expect(up.poses[1][0].y).toBe(10);
  });
});
