/** The output video's size and frame rate, from the source that frames it. Pure. */

export const OUTPUT_SHORT_SIDE = 720;
export const MAX_UPSCALE = 2;
export const MAX_OUTPUT_FPS = 30;

function even(v: number): number {
  return Math.max(2, 2 * Math.round(v / 2));
}

/** Short side 720 px, never upscaled more than 2× from the source, even dimensions, aspect kept. */
export function outputSize(srcWidth: number, srcHeight: number): { width: number; height: number } {
  const short = Math.min(srcWidth, srcHeight);
  const targetShort = Math.min(OUTPUT_SHORT_SIDE, MAX_UPSCALE * short);
  const scale = targetShort / short;
  return { width: even(srcWidth * scale), height: even(srcHeight * scale) };
}

/** The video's frame rate, capped at 30 fps. */
export function outputFps(videoFps: number): number {
  if (!Number.isFinite(videoFps) || videoFps <= 0) return MAX_OUTPUT_FPS;
  return Math.min(videoFps, MAX_OUTPUT_FPS);
}

/** The size frames are decoded at for pose detection: short side 360 px at most, even. */
export function analysisSize(srcWidth: number, srcHeight: number, shortSide = 360): { width: number; height: number } {
  const short = Math.min(srcWidth, srcHeight);
  const scale = Math.min(1, shortSide / short);
  return { width: even(srcWidth * scale), height: even(srcHeight * scale) };
}

/**
 * Scale and offset that cover a `dstW`×`dstH` canvas with a `srcW`×`srcH` image (crops the excess),
 * centred across; vertically centred, or kept on the bottom edge so a scene keeps its ground.
 */
export function coverFit(
  srcW: number, srcH: number, dstW: number, dstH: number, vertical: 'center' | 'bottom' = 'center',
): { scale: number; dx: number; dy: number } {
  const scale = Math.max(dstW / srcW, dstH / srcH);
  const spare = dstH - srcH * scale;
  return { scale, dx: (dstW - srcW * scale) / 2, dy: vertical === 'bottom' ? spare : spare / 2 };
}
