/**
 * bench:pose — MoveNet lightning ms/frame with 1 and 2 worker threads, thunder ms/image, selfie
 * ms/image, and frames/s of trackVideoPoses on a fixture clip (decoding included).
 *   npm run build && node --import tsx bench/pose.ts [seconds=6]
 */
import { performance } from 'node:perf_hooks';
import { wholeFrameCrop } from '../src/engine/pose/crop.js';
import { createPoseWorkerPool, type PoseWorkerPool } from '../src/engine/pose/pool.js';
import { trackVideoPoses } from '../src/engine/pose/track.js';
import type { RasterImage } from '../src/engine/types.js';
import { decodeVideo, fixture, fixturesPresent, scaledSize } from '../test/integration/pose-media.js';

/** A frame with some structure (so no op takes a shortcut on constant data). */
function syntheticFrame(width: number, height: number): RasterImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  return { width, height, channels: 3, data };
}

/** Mean wall ms per call with `concurrency` calls kept in flight. */
async function perCall(n: number, concurrency: number, call: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < concurrency * 2; i++) await call(); // warm-up (first runs compile kernels)
  const t0 = performance.now();
  let started = 0;
  const lane = async () => {
    while (started < n) {
      started++;
      await call();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return (performance.now() - t0) / n;
}

async function measurePool(threads: number, frame: RasterImage): Promise<void> {
  const pool: PoseWorkerPool = await createPoseWorkerPool({ threads });
  try {
    const crop = wholeFrameCrop(frame.width, frame.height);
    const inflight = 2 * threads;
    const lightning = await perCall(60, inflight, () => pool.detect(frame, crop, 'lightning'));
    const thunder = await perCall(12, inflight, () => pool.detect(frame, crop, 'thunder'));
    const selfie = await perCall(20, inflight, () => pool.segment(frame));
    console.log(`threads=${threads}: lightning ${lightning.toFixed(1)} ms/frame (${(1000 / lightning).toFixed(1)}/s), ` +
      `thunder ${thunder.toFixed(1)} ms/image, selfie ${selfie.toFixed(1)} ms/image (at ${frame.width}x${frame.height})`);
  } finally {
    await pool.close();
  }
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 6);
  const frame = syntheticFrame(360, 640);
  await measurePool(1, frame);
  await measurePool(2, frame);
  if (!fixturesPresent) {
    console.log('trackVideoPoses: skipped (/work/shared/fixtures is absent)');
    return;
  }
  const pool = await createPoseWorkerPool({ threads: 2 });
  try {
    for (const name of ['dance1.mp4', 'juggle1.mp4']) {
      const file = fixture(name);
      const size = scaledSize(file, 360);
      const fps = 24;
      const t0 = performance.now();
      const track = await trackVideoPoses(decodeVideo(file, { ...size, fps, seconds }), pool, { fps });
      const s = (performance.now() - t0) / 1000;
      console.log(`trackVideoPoses ${name} ${size.width}x${size.height} @${fps} fps, ${track.poses.length} frames: ` +
        `${(track.poses.length / s).toFixed(1)} frames/s (${(s / (track.poses.length / fps)).toFixed(2)} s per clip second)`);
    }
  } finally {
    await pool.close();
  }
}

await main();
