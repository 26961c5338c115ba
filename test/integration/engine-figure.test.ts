/**
 * A figure rendered in code with known joints goes through the engine's stages after detection
 * (segmentation, rig, retargeting, deformation, render, H.264 encode and decode): each coloured
 * limb must come out at the driving angle, within a stated tolerance.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assembleCharacter } from '../../src/engine/character.js';
import { preparePlate, renderFrame } from '../../src/engine/frame-renderer.js';
import { planRetarget, type DrivingTrack } from '../../src/engine/retarget/retarget.js';
import { JOINTS, JOINT_INDEX as J, type JointPositions } from '../../src/engine/rig/skeleton.js';
import { refineMask, segmentDrawing } from '../../src/engine/segment/index.js';
import type { RasterImage } from '../../src/engine/types.js';
import { createVideoWriter } from '../../src/media/video-writer.js';
import { readVideoFrames } from '../../src/media/video-reader.js';

/** Limb angle tolerance after rig, render and a lossy encode (degrees). */
const TOLERANCE_DEG = 6;
const W = 360, H = 480;
type RGB = [number, number, number];
const SKIN: RGB = [230, 190, 160], SHIRT: RGB = [40, 80, 200], PANTS: RGB = [60, 60, 60];
const L_FOREARM: RGB = [220, 30, 30], R_FOREARM: RGB = [30, 170, 40], L_SHIN: RGB = [240, 200, 0];

const rest = (() => {
  const j = new Float64Array(2 * JOINTS.length);
  const put = (n: keyof typeof J, x: number, y: number) => { j[2 * J[n]] = x; j[2 * J[n] + 1] = y; };
  put('root', 180, 250); put('neck', 180, 120); put('head', 180, 80);
  put('l_shoulder', 215, 125); put('l_elbow', 255, 170); put('l_wrist', 290, 215);
  put('r_shoulder', 145, 125); put('r_elbow', 105, 170); put('r_wrist', 70, 215);
  put('l_hip', 200, 250); put('l_knee', 210, 340); put('l_ankle', 215, 430);
  put('r_hip', 160, 250); put('r_knee', 150, 340); put('r_ankle', 145, 430);
  return j;
})();

function segDist(px: number, py: number, j: JointPositions, a: number, b: number): number {
  const ax = j[2 * a], ay = j[2 * a + 1], dx = j[2 * b] - ax, dy = j[2 * b + 1] - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

/** A flat-coloured figure on light paper with a little noise. */
function renderFigure(): RasterImage {
  const data = new Uint8Array(W * H * 3);
  const shapes: [number, number, number, RGB][] = [
    [J.l_shoulder, J.l_elbow, 11, SHIRT], [J.r_shoulder, J.r_elbow, 11, SHIRT],
    [J.l_elbow, J.l_wrist, 10, L_FOREARM], [J.r_elbow, J.r_wrist, 10, R_FOREARM],
    [J.l_hip, J.l_knee, 14, PANTS], [J.r_hip, J.r_knee, 14, PANTS],
    [J.l_knee, J.l_ankle, 12, L_SHIN], [J.r_knee, J.r_ankle, 12, PANTS],
  ];
  let seed = 7;
  const noise = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return (seed / 2147483648 - 0.5) * 10; };
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let c: RGB = [235 + noise(), 232 + noise(), 225 + noise()] as RGB;
      if (x >= 145 && x <= 215 && y >= 115 && y <= 255) c = SHIRT;
      for (const [a, b, r, col] of shapes) if (segDist(x, y, rest, a, b) <= r) c = col;
      if (Math.hypot(x - 180, y - 82) <= 32) c = SKIN;
      const o = (y * W + x) * 3;
      data[o] = c[0]; data[o + 1] = c[1]; data[o + 2] = c[2];
    }
  }
  return { width: W, height: H, channels: 3, data };
}

/** Driving person at twice the size: left forearm sweeps 0→180°, left shin swings ±30°. */
function driving(frames: number): { track: DrivingTrack; forearm: number[]; shin: number[] } {
  const forearm: number[] = [], shin: number[] = [];
  const joints = Array.from({ length: frames }, (_, t) => {
    const j = Float64Array.from(rest, (v) => v * 2);
    const fa = (Math.PI * t) / (frames - 1);
    const sh = Math.PI / 2 + (Math.PI / 6) * Math.sin((2 * Math.PI * t) / frames);
    forearm.push(fa); shin.push(sh);
    j[2 * J.l_wrist] = j[2 * J.l_elbow] + 90 * Math.cos(fa); j[2 * J.l_wrist + 1] = j[2 * J.l_elbow + 1] + 90 * Math.sin(fa);
    j[2 * J.l_ankle] = j[2 * J.l_knee] + 180 * Math.cos(sh); j[2 * J.l_ankle + 1] = j[2 * J.l_knee + 1] + 180 * Math.sin(sh);
    return j;
  });
  return {
    forearm, shin,
    track: { width: 2 * W, height: 2 * H, fps: 10, joints, confidence: joints.map(() => new Float64Array(JOINTS.length).fill(0.9)), facingAway: joints.map(() => false) },
  };
}

/** Direction (radians) from `from` to the centroid of pixels near colour `c`. */
function colourDirection(frame: Uint8Array, c: RGB, from: [number, number]): number | null {
  let sx = 0, sy = 0, n = 0;
  for (let i = 0, p = 0; i < frame.length; i += 3, p++) {
    if (Math.abs(frame[i] - c[0]) + Math.abs(frame[i + 1] - c[1]) + Math.abs(frame[i + 2] - c[2]) < 60) { sx += p % W; sy += Math.floor(p / W); n++; }
  }
  return n > 50 ? Math.atan2(sy / n - from[1], sx / n - from[0]) : null;
}

function degDiff(a: number, b: number): number {
  return (Math.abs(Math.atan2(Math.sin(a - b), Math.cos(a - b))) * 180) / Math.PI;
}

describe('engine on a rendered figure with known joints', () => {
  const dirs: string[] = [];
  afterAll(async () => { for (const d of dirs) await rm(d, { recursive: true, force: true }); });

  it('segments the figure and moves each coloured limb to the driving angle, through encode and decode', async () => {
    const image = renderFigure();
    const refined = refineMask(segmentDrawing(image));
    const ch = assembleCharacter(image, refined, rest, JOINTS.map(() => true), 'drawing', 'pose-model');
    const { track, forearm, shin } = driving(12);
    const plan = planRetarget({ rest, present: ch.present, imageWidth: W, imageHeight: H }, track, { orientation: 'image', canvasWidth: W, canvasHeight: H });
    const plate = preparePlate(ch.plate, { orientation: 'image', width: W, height: H, cover: null });

    const dir = await mkdtemp(path.join(os.tmpdir(), 'marionette-figure-'));
    dirs.push(dir);
    const out = path.join(dir, 'figure.mp4');
    const writer = createVideoWriter({ output: out, width: W, height: H, fps: 10, frameCount: plan.frames.length });
    const posed = new Float32Array(ch.rig.rest.length);
    for (let t = 0; t < plan.frames.length; t++) await writer.write(renderFrame(ch, plan, t, plate, posed));
    await writer.finish();

    let t = 0;
    for await (const frame of readVideoFrames({ input: out, width: W, height: H, fps: 10 })) {
      const p = plan.frames[t].joints;
      const elbow: [number, number] = [p[2 * J.l_elbow], p[2 * J.l_elbow + 1]];
      const knee: [number, number] = [p[2 * J.l_knee], p[2 * J.l_knee + 1]];
      const fa = colourDirection(frame, L_FOREARM, elbow);
      const sh = colourDirection(frame, L_SHIN, knee);
      expect(fa, `frame ${t}: left forearm visible`).not.toBeNull();
      expect(sh, `frame ${t}: left shin visible`).not.toBeNull();
      expect(degDiff(fa!, forearm[t]), `frame ${t}: forearm angle`).toBeLessThan(TOLERANCE_DEG);
      expect(degDiff(sh!, shin[t]), `frame ${t}: shin angle`).toBeLessThan(TOLERANCE_DEG);
      // The right forearm did not move: it stays at its rest direction.
      const rfa = colourDirection(frame, R_FOREARM, [p[2 * J.r_elbow], p[2 * J.r_elbow + 1]]);
      expect(degDiff(rfa!, Math.atan2(215 - 170, 70 - 105))).toBeLessThan(TOLERANCE_DEG);
      t++;
    }
    expect(t).toBe(12);
  });
});
