/**
 * `--debug-dir`: what a developer needs to see each stage — the mask, the mesh on the image, the
 * clean plate, keypoints drawn on the driving frames, and a side-by-side video (driving | output).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runFfmpeg } from '../media/ffmpeg.js';
import { writePng } from '../media/image-reader.js';
import { readVideoFrames } from '../media/video-reader.js';
import { createVideoWriter } from '../media/video-writer.js';
import type { Character } from './character.js';
import type { Motion } from './motion.js';
import type { RetargetPlan } from './retarget/retarget.js';
import { jointsFromCoco } from './rig/skeleton.js';
import { drawMeshWireframe, drawSkeleton, type PremultipliedTexture, type RgbCanvas } from './render/index.js';
import type { AnimateRequest, RasterImage } from './types.js';

export interface DebugInput {
  req: AnimateRequest;
  character: Character;
  motion: Motion;
  plan: RetargetPlan;
  fps: number;
  canvas: { width: number; height: number };
}

function toRgbCanvas(img: RasterImage): RgbCanvas {
  if (img.channels === 3) return { width: img.width, height: img.height, data: Uint8Array.from(img.data) };
  const out = new Uint8Array(img.width * img.height * 3);
  for (let i = 0, j = 0; j < img.data.length; i += 3, j += 4) {
    out[i] = img.data[j]; out[i + 1] = img.data[j + 1]; out[i + 2] = img.data[j + 2];
  }
  return { width: img.width, height: img.height, data: out };
}

/** ffmpeg argv: two videos side by side at a common height (pure). */
export function sideBySideArgs(left: string, right: string, output: string, height: number): string[] {
  const h = 2 * Math.round(height / 2);
  return [
    '-hide_banner', '-loglevel', 'error', '-y', '-i', left, '-i', right,
    '-filter_complex', `[0:v]scale=-2:${h}[a];[1:v]scale=-2:${h}[b];[a][b]hstack=inputs=2[v]`,
    '-map', '[v]', '-map', '1:a:0?', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23',
    '-pix_fmt', 'yuv420p', '-c:a', 'copy', '-movflags', '+faststart', output,
  ];
}

/** A premultiplied texture (colour 0..255 times alpha; alpha 0..1, or 0..255 as bytes) as straight 8-bit RGBA. */
export function straightRgba(t: PremultipliedTexture): { width: number; height: number; channels: 4; data: Uint8Array } {
  const bytes = t.data instanceof Uint8Array;
  const data = new Uint8Array(t.width * t.height * 4);
  for (let p = 0; p < t.width * t.height; p++) {
    const a = bytes ? t.data[4 * p + 3] / 255 : t.data[4 * p + 3];
    data[4 * p + 3] = Math.round(Math.min(1, a) * 255);
    if (a <= 0) continue;
    for (let c = 0; c < 3; c++) data[4 * p + c] = Math.round(Math.min(255, t.data[4 * p + c] / a));
  }
  return { width: t.width, height: t.height, channels: 4, data };
}

export async function writeDebugArtefacts(dir: string, d: DebugInput): Promise<void> {
  await mkdir(dir, { recursive: true });
  const { character: ch } = d;
  const mask = new Uint8Array(ch.softMask.data.length);
  for (let i = 0; i < mask.length; i++) mask[i] = Math.round(ch.softMask.data[i] * 255);
  await writePng(path.join(dir, 'mask.png'), { width: ch.softMask.width, height: ch.softMask.height, channels: 1, data: mask });

  const meshView = toRgbCanvas(ch.image);
  drawMeshWireframe(meshView, ch.rig, ch.rig.rest);
  drawSkeleton(meshView, ch.joints, { color: [255, 40, 40] });
  await writePng(path.join(dir, 'mesh.png'), { ...meshView, channels: 3 });
  await writePng(path.join(dir, 'plate.png'), { ...toRgbCanvas(ch.plate), channels: 3 });
  // What the character is drawn with, and what its layers hide (see hidden-texture.ts), as RGBA.
  await writePng(path.join(dir, 'texture.png'), straightRgba(ch.texture));
  if (ch.hiddenTexture) await writePng(path.join(dir, 'hidden-texture.png'), straightRgba(ch.hiddenTexture));

  // Keypoints on the driving frames (smoothed track), at the analysis size.
  const { raw, smooth } = d.motion;
  const keypointsPath = path.join(dir, 'keypoints.mp4');
  const writer = createVideoWriter({ output: keypointsPath, width: raw.width, height: raw.height, fps: d.fps, frameCount: raw.poses.length });
  let t = 0;
  try {
    for await (const frame of readVideoFrames({ input: d.req.videoPath, width: raw.width, height: raw.height, fps: d.fps })) {
      if (t >= smooth.poses.length) break;
      const canvas: RgbCanvas = { width: raw.width, height: raw.height, data: frame };
      drawSkeleton(canvas, jointsFromCoco(raw.poses[t]).joints, { color: [255, 200, 0] });
      drawSkeleton(canvas, jointsFromCoco(smooth.poses[t]).joints, { color: [0, 255, 0] });
      await writer.write(frame);
      t++;
    }
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  await runFfmpeg(sideBySideArgs(keypointsPath, d.req.outputPath, path.join(dir, 'side-by-side.mp4'), d.canvas.height));
  await writeFile(path.join(dir, 'summary.json'), JSON.stringify({
    segmentation: ch.segmentation, skeletonSource: ch.skeletonSource, present: ch.present,
    meshVertices: ch.rig.rest.length / 2, meshTriangles: ch.rig.triangles.length / 3,
    frames: raw.poses.length, personShare: d.motion.personShare, transform: d.plan.transform,
    mirroredFrames: d.plan.frames.filter((f) => f.mirror).length,
  }, null, 2));
}
