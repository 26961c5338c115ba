/**
 * The CPU motion engine, stage by stage: probe → character → motion → retarget → render+encode.
 * Frames are streamed (decoded, analysed, rendered and encoded one at a time), never all held.
 */
import { performance } from 'node:perf_hooks';
import { inspectVideoFile } from '../media/inspect.js';
import { readImageRgba } from '../media/image-reader.js';
import { createVideoWriter } from '../media/video-writer.js';
import { limitPixels, MAX_CHARACTER_PIXELS, type Character } from './character.js';
import { analyzeCharacterInWorker } from './character-thread.js';
import { processCpuSeconds } from './cpu-clock.js';
import { extractMotion, type Motion } from './motion.js';
import { analysisSize, coverFit, outputFps, outputSize } from './output-format.js';
import { ProgressTracker } from './progress.js';
import type { PoseWorkerPool } from './pose/pool.js';
import { planRetarget, type RetargetPlan } from './retarget/retarget.js';
import { preparePlate, prepareStillRing } from './frame-renderer.js';
import { DEFAULT_LAYER_ORDER } from './rig/skeleton.js';
import { createFrameRenderPool, type FrameRenderPool } from './frame-render-pool.js';
import { writeDebugArtefacts } from './debug.js';
import type { AnimateRequest, AnimateResult, EngineProgress, EngineStage } from './types.js';

export interface PipelineContext {
  pool: PoseWorkerPool;
  onProgress: (p: EngineProgress) => void;
  signal?: AbortSignal;
}

const sum = (c: { self: number; children: number }): number => c.self + c.children;

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

export async function runPipeline(req: AnimateRequest, ctx: PipelineContext): Promise<AnimateResult> {
  // The render threads load their code while the other stages run.
  const renderPool = createFrameRenderPool({ threads: ctx.pool.threads });
  try {
    return await runStages(req, ctx, renderPool);
  } finally {
    await renderPool.close();
  }
}

/** Frames asked of the render threads ahead of the encoder, per thread (each frame is width × height × 3 bytes). */
const FRAMES_AHEAD_PER_THREAD = 2;

async function runStages(req: AnimateRequest, ctx: PipelineContext, renderPool: FrameRenderPool): Promise<AnimateResult> {
  const t0 = performance.now();
  const timings: AnimateResult['timings'] = {};
  const cpu: NonNullable<AnimateResult['cpu']> = {};
  const cpu0 = processCpuSeconds();
  let cpuAt = cpu0;
  /** CPU since the last call: this process's threads, and ffmpeg children that ended meanwhile. */
  const cpuSpan = (): { self: number; children: number } => {
    const now = processCpuSeconds();
    const span = { self: now.self - cpuAt.self, children: now.children - cpuAt.children };
    cpuAt = now;
    return span;
  };
  const progress = new ProgressTracker(ctx.onProgress);
  let stageStart = t0;
  const endStage = (stage: EngineStage | 'encode') => {
    const now = performance.now();
    timings[stage] = (now - stageStart) / 1000;
    stageStart = now;
  };

  // probe
  progress.report('probe', 0);
  // Side by side (ffprobe and ffmpeg are separate processes); a bad video is still reported before a bad image.
  // The image is decoded at the working size (ffmpeg scales while decoding: a 7000x7000 PNG never becomes 196 MB here).
  const [infoR, decodedR] = await Promise.allSettled([
    inspectVideoFile(req.videoPath, req.orientation), readImageRgba(req.imagePath, { maxPixels: MAX_CHARACTER_PIXELS })]);
  if (infoR.status === 'rejected') throw infoR.reason;
  if (decodedR.status === 'rejected') throw decodedR.reason;
  const info = infoR.value;
  const decoded = decodedR.value;
  const image = limitPixels(decoded);
  const imageAsSent = decoded.source;
  const fps = outputFps(info.fps);
  const canvas = req.orientation === 'image' ? outputSize(image.width, image.height) : outputSize(info.width, info.height);
  endStage('probe');
  cpu.probe = sum(cpuSpan());
  checkAborted(ctx.signal);

  // character and motion run side by side: the character's mesh, weights and inpainting in their
  // own thread, so this one keeps feeding video frames to the pose workers meanwhile.
  const expectedFrames = Math.max(1, Math.round(info.durationS * fps));
  const poseSize = analysisSize(info.width, info.height);
  const timed = async <T>(stage: EngineStage, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    const out = await work();
    timings[stage] = (performance.now() - start) / 1000;
    return out;
  };
  progress.report('character', 0);
  const characterP = timed('character', () => analyzeCharacterInWorker(image, ctx.pool, imageAsSent, { signal: ctx.signal }));
  const motionP = timed('motion', () => extractMotion(
    { videoPath: req.videoPath, width: poseSize.width, height: poseSize.height, fps, durationS: info.durationS },
    ctx.pool, (i) => { if (i % 5 === 0) progress.report('motion', i / expectedFrames); }, ctx.signal,
  ));
  // Both settle before either's failure is reported, so no work is left running behind us.
  const [characterR, motionR] = await Promise.allSettled([characterP, motionP]);
  if (characterR.status === 'rejected') throw characterR.reason;
  if (motionR.status === 'rejected') throw motionR.reason;
  const character: Character = characterR.value.character;
  const motion: Motion = motionR.value;
  stageStart = performance.now();
  const analysed = cpuSpan();
  cpu.character = characterR.value.cpuS;
  cpu.motion = analysed.self - characterR.value.cpuS;
  cpu.decode = analysed.children;
  checkAborted(ctx.signal);

  // retarget
  progress.report('retarget', 0);
  const plan: RetargetPlan = planRetarget(
    { rest: character.joints, present: character.present, imageWidth: image.width, imageHeight: image.height },
    motion.driving,
    { orientation: req.orientation, canvasWidth: canvas.width, canvasHeight: canvas.height },
  );
  endStage('retarget');
  cpu.retarget = sum(cpuSpan());

  // render + encode
  const frameCount = motion.frameCount;
  const layout = {
    orientation: req.orientation, width: canvas.width, height: canvas.height,
    cover: req.orientation === 'video' ? coverFit(image.width, image.height, canvas.width, canvas.height, 'bottom') : null,
  };
  const plate = preparePlate(character.plate, layout);
  const stillRing = prepareStillRing(character, plate, layout, { transform: plan.transform, order: plan.frames[0]?.order ?? [...DEFAULT_LAYER_ORDER] });
  const withAudio = req.keepOriginalSound && info.hasAudio;
  const writer = createVideoWriter({
    output: req.outputPath, width: canvas.width, height: canvas.height, fps, frameCount,
    audioFrom: withAudio ? req.videoPath : undefined,
  });
  // Frames asked for ahead but not yet written: if writing fails they still settle, unobserved.
  const ahead: Promise<Uint8Array>[] = [];
  try {
    await renderPool.load({ character: { rig: character.rig, texture: character.texture, hiddenTexture: character.hiddenTexture }, plan, plate, stillRing });
    const depth = FRAMES_AHEAD_PER_THREAD * renderPool.threads;
    let asked = 0;
    for (let t = 0; t < frameCount; t++) {
      checkAborted(ctx.signal);
      while (asked < frameCount && asked - t < depth) {
        const p = renderPool.frame(asked++);
        p.catch(() => undefined);
        ahead.push(p);
      }
      await writer.write(await ahead.shift()!);
      if (t % 5 === 0) progress.report('render', t / frameCount);
    }
    await writer.finish();
  } catch (err) {
    await writer.abort();
    throw err;
  }
  endStage('render');
  const rendered = cpuSpan();
  cpu.render = rendered.self;
  cpu.encode = rendered.children;

  if (req.debugDir) {
    await writeDebugArtefacts(req.debugDir, { req, character, motion, plan, fps, canvas });
  }
  timings.total = (performance.now() - t0) / 1000;
  cpuSpan();
  cpu.total = sum(cpuAt) - sum(cpu0);
  return {
    outputPath: req.outputPath, width: canvas.width, height: canvas.height, fps, frameCount,
    durationS: frameCount / fps, hasAudio: withAudio, timings, cpu,
  };
}
