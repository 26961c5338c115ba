/** Media helpers shared by the quality benches: poses through a video, frames two at a time. */
import { trackVideoPoses } from '../src/engine/pose/track.js';
import type { PoseWorkerPool } from '../src/engine/pose/pool.js';
import { readVideoFrames } from '../src/media/video-reader.js';
import { analysisSize } from '../src/engine/output-format.js';
import type { Pose, RasterImage } from '../src/engine/types.js';

async function* raster(frames: AsyncIterable<Uint8Array>, width: number, height: number): AsyncIterable<RasterImage> {
  for await (const data of frames) yield { width, height, channels: 3, data };
}

/** MoveNet through a video on the `fps` grid, at the engine's analysis size; poses in analysis px. */
export async function trackPoses(file: string, fps: number, pool: PoseWorkerPool, w: number, h: number): Promise<{ poses: Pose[]; width: number; height: number }> {
  const size = analysisSize(w, h);
  const t = await trackVideoPoses(raster(readVideoFrames({ input: file, width: size.width, height: size.height, fps }), size.width, size.height), pool, { fps });
  return { poses: t.poses, width: size.width, height: size.height };
}

/** Frames of two streams in step (frame t of each); stops at the shorter, telling both lengths apart. */
export async function* inStep<A, B>(a: AsyncIterable<A>, b: AsyncIterable<B> | null): AsyncGenerator<[A, B | null]> {
  const ia = a[Symbol.asyncIterator]();
  const ib = b ? b[Symbol.asyncIterator]() : null;
  try {
    for (;;) {
      const [x, y] = await Promise.all([ia.next(), ib ? ib.next() : Promise.resolve(null)]);
      if (x.done || (y && y.done)) return;
      yield [x.value, y ? y.value : null];
    }
  } finally {
    await ia.return?.();
    await ib?.return?.();
  }
}
