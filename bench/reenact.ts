/**
 * Self-reenactment: the first frame of a video is the character, the video drives it (`video`
 * orientation), and the output is compared with the video itself frame by frame at the same
 * instants and at the output's resolution: SSIM and PSNR on luma over the person's box (MoveNet on
 * the driving frame) and over the whole frame, beside the first frame held still (frozen).
 */
import path from 'node:path';
import { runPipeline } from '../src/engine/pipeline.js';
import type { PoseWorkerPool } from '../src/engine/pose/pool.js';
import { fileArg } from '../src/media/ffmpeg-args.js';
import { runFfmpeg } from '../src/media/ffmpeg.js';
import { inspectVideoFile } from '../src/media/inspect.js';
import { readVideoFrames } from '../src/media/video-reader.js';
import { outputFps, outputSize } from '../src/engine/output-format.js';
import type { Pose } from '../src/engine/types.js';
import { errorByOffset } from './limb-angles.js';
import { inStep, trackPoses } from './media.js';
import { personBox } from './scores.js';
import { lumaOf, meanOverBox, mse, prepareLuma, psnrFromMse, ssimMap, type LumaImage, type PreparedLuma } from './ssim.js';

/** Means over the compared frames (box figures over the frames where the driving pose has a torso). */
export interface Similarity { ssimBox: number; ssimFrame: number; psnrBox: number; psnrFrame: number }

export interface ReenactResult {
  video: string;
  frames: number;
  boxFrames: number;
  /** Output frames vs driving frames, when they differ (the comparison stops at the shorter). */
  frameCounts: { output: number; driving: number } | null;
  output: Similarity | null;
  frozen: Similarity;
  /** Limb-angle error of the output against the driving video at frame offsets −2…+2 (a timing check). */
  timing: { offset: number; error: number; frames: number }[] | null;
  error: string | null;
  outputPath: string | null;
}

export const TIMING_OFFSETS = [-2, -1, 0, 1, 2];

class Accumulator {
  private ssimBox = 0; private ssimFrame = 0; private mseBox = 0; private mseFrame = 0;
  constructor(private readonly counts: { frames: number; boxFrames: number }) {}
  add(candidate: LumaImage | PreparedLuma, driving: PreparedLuma, box: ReturnType<typeof personBox>): void {
    const map = ssimMap(candidate, driving);
    const image = 'mu' in candidate ? candidate.image : candidate;
    this.ssimFrame += meanOverBox(map);
    this.mseFrame += mse(image, driving.image);
    if (box) {
      this.ssimBox += meanOverBox(map, box);
      this.mseBox += mse(image, driving.image, box);
    }
  }
  result(): Similarity {
    const { frames, boxFrames } = this.counts;
    return {
      ssimBox: this.ssimBox / boxFrames, ssimFrame: this.ssimFrame / frames,
      psnrBox: psnrFromMse(this.mseBox / boxFrames), psnrFrame: psnrFromMse(this.mseFrame / frames),
    };
  }
}

/** Decodes the driving video (and the output) at `size` on the `fps` grid and scores them frame by frame. */
async function compare(video: string, output: string | null, fps: number, size: { width: number; height: number },
  poses: { poses: Pose[]; width: number }): Promise<{ output: Similarity | null; frozen: Similarity; frames: number; boxFrames: number }> {
  const read = (input: string) => readVideoFrames({ input, width: size.width, height: size.height, fps });
  const counts = { frames: 0, boxFrames: 0 };
  const out = new Accumulator(counts), frozen = new Accumulator(counts);
  let first: PreparedLuma | null = null;
  for await (const [drv, res] of inStep(read(video), output ? read(output) : null)) {
    const d = prepareLuma(lumaOf(drv, size.width, size.height));
    first ??= d;
    const pose = poses.poses[counts.frames];
    const box = pose ? personBox(pose, size.width / poses.width, size.width, size.height) : null;
    counts.frames++;
    if (box) counts.boxFrames++;
    frozen.add(first, d, box);
    if (res) out.add(lumaOf(res, size.width, size.height), d, box);
  }
  return { output: output ? out.result() : null, frozen: frozen.result(), ...counts };
}

export async function reenact(videoPath: string, pool: PoseWorkerPool, tmp: string): Promise<ReenactResult> {
  const name = path.parse(videoPath).name;
  const info = await inspectVideoFile(videoPath, 'video');
  const fps = outputFps(info.fps);
  const character = path.join(tmp, `${name}-first.png`);
  await runFfmpeg(['-hide_banner', '-nostdin', '-v', 'error', '-y', '-i', fileArg(videoPath), '-frames:v', '1', fileArg(character)]);
  const poses = await trackPoses(videoPath, fps, pool, info.width, info.height);
  const outputPath = path.join(tmp, `${name}-reenact.mp4`);
  let size = outputSize(info.width, info.height);
  let error: string | null = null;
  let frameCount = 0;
  try {
    const r = await runPipeline({ imagePath: character, videoPath, outputPath, orientation: 'video', keepOriginalSound: false }, { pool, onProgress: () => undefined });
    size = { width: r.width, height: r.height };
    frameCount = r.frameCount;
  } catch (err) {
    error = (err as Error).message;
  }
  const m = await compare(videoPath, error ? null : outputPath, fps, size, poses);
  const timing = error ? null : errorByOffset((await trackPoses(outputPath, fps, pool, size.width, size.height)).poses, poses.poses, TIMING_OFFSETS);
  return {
    video: path.basename(videoPath), frames: m.frames, boxFrames: m.boxFrames,
    frameCounts: !error && frameCount !== poses.poses.length ? { output: frameCount, driving: poses.poses.length } : null,
    output: m.output, frozen: m.frozen, timing, error, outputPath: error ? null : outputPath,
  };
}
