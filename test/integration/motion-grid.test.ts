/**
 * Pose analysis at half rate picks frames 0, 2, 4, … of the output grid (so analysed frame i is
 * output frame 2i, not one frame early as an fps filter at half the rate would give). Real ffmpeg.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFfmpeg } from '../../src/media/ffmpeg.js';
import { readVideoFrames } from '../../src/media/video-reader.js';
import { analysisStride } from '../../src/engine/motion.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'motion-grid-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('analysis frames on the output grid', () => {
  it('at 29.97 fps keeps frames 0, 2, 4, … (frame number visible as grey level)', async () => {
    const clip = path.join(dir, 'ramp.mp4');
    // Luma of frame N is 16 + 6·N (limited range), lossless.
    await runFfmpeg(['-hide_banner', '-v', 'error', '-y', '-f', 'lavfi', '-i',
      "color=c=black:s=32x24:r=30000/1001:d=1.2,format=yuv444p,geq=lum='16+6*N':cb=128:cr=128",
      '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv444p', clip]);
    const fps = 30000 / 1001;
    const stride = analysisStride(fps);
    expect(stride).toBe(2);
    const levels: number[] = [];
    for await (const f of readVideoFrames({ input: clip, width: 32, height: 24, fps, everyNth: stride })) {
      levels.push(Math.round((f[3 * (12 * 32 + 16)] * 219) / 255 / 6)); // back to the frame number
    }
    expect(levels.slice(0, 10)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18]);
  });
});
