/** Real photos and video from /work/shared/fixtures (skipped when absent). Needs `npm run build` (worker). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectImagePose } from '../../src/engine/pose/image-pose.js';
import { createPoseWorkerPool, type PoseWorkerPool } from '../../src/engine/pose/pool.js';
import { smoothTrack } from '../../src/engine/pose/smooth.js';
import { trackVideoPoses } from '../../src/engine/pose/track.js';
import { KP, type Pose } from '../../src/engine/types.js';
import { decodeImage, decodeVideo, fixture, fixturesPresent, scaledSize } from './pose-media.js';

if (!fixturesPresent) console.warn('pose fixture tests skipped: /work/shared/fixtures is absent');

const torsoSeen = (p: Pose) => [KP.left_shoulder, KP.right_shoulder, KP.left_hip, KP.right_hip].every((k) => p[k].score >= 0.3);

describe.skipIf(!fixturesPresent)('pose on fixtures', () => {
  let pool: PoseWorkerPool;
  beforeAll(async () => { pool = await createPoseWorkerPool({ threads: 2 }); });
  afterAll(async () => { await pool?.close(); });

  it('person2.jpg: an upright full body, facing the camera', async () => {
    const img = decodeImage(fixture('person2.jpg'));
    const found = await detectImagePose(img, pool);
    expect(found).not.toBeNull();
    const pose = found?.pose ?? [];
    expect(found?.score).toBeGreaterThan(0.5);
    const y = (k: number) => pose[k].y;
    expect(Math.max(y(KP.left_shoulder), y(KP.right_shoulder))).toBeLessThan(Math.min(y(KP.left_hip), y(KP.right_hip)));
    expect(Math.max(y(KP.left_hip), y(KP.right_hip))).toBeLessThan(Math.min(y(KP.left_ankle), y(KP.right_ankle)));
    expect(Math.min(y(KP.left_ankle), y(KP.right_ankle))).toBeGreaterThan(0.8 * img.height);
    expect(y(KP.nose)).toBeLessThan(y(KP.left_shoulder));
    expect(pose[KP.left_shoulder].x).toBeGreaterThan(pose[KP.right_shoulder].x); // front view
  });

  it('person2.jpg: the selfie mask covers the person', async () => {
    const img = decodeImage(fixture('person2.jpg'), 720);
    const [mask, found] = await Promise.all([pool.segment(img), detectImagePose(img, pool)]);
    expect(found).not.toBeNull();
    const pose = (found?.pose ?? []).filter((p) => p.score > 0.3);
    const x0 = Math.min(...pose.map((p) => p.x));
    const x1 = Math.max(...pose.map((p) => p.x));
    const y0 = Math.min(...pose.map((p) => p.y));
    const y1 = Math.max(...pose.map((p) => p.y));
    let inSum = 0, inN = 0, outSum = 0, outN = 0;
    for (let y = 0; y < mask.height; y++) {
      for (let x = 0; x < mask.width; x++) {
        const v = mask.data[y * mask.width + x];
        if (x >= x0 && x <= x1 && y >= y0 && y <= y1) { inSum += v; inN++; } else { outSum += v; outN++; }
      }
    }
    const inside = inSum / inN;
    const outside = outSum / outN;
    expect(inside).toBeGreaterThan(0.5);
    expect(outside).toBeLessThan(0.2);
    expect(inside).toBeGreaterThan(4 * outside);
  });

  it('dance1.mp4, first 3 s: the dancer is tracked in nearly every frame', async () => {
    const file = fixture('dance1.mp4');
    const size = scaledSize(file, 360);
    const done: number[] = [];
    const track = await trackVideoPoses(decodeVideo(file, { ...size, fps: 24, seconds: 3 }), pool,
      { fps: 24, onFrame: (i) => done.push(i) });
    expect(track.poses.length).toBeGreaterThanOrEqual(71);
    expect(done).toHaveLength(track.poses.length);
    const seen = track.poses.filter(torsoSeen).length / track.poses.length;
    expect(seen).toBeGreaterThanOrEqual(0.95);
    const smooth = smoothTrack(track);
    expect(smooth.poses.filter(torsoSeen).length / smooth.poses.length).toBeGreaterThanOrEqual(0.95);
    // The person stays put in a static shot: the hips never jump across the frame.
    const hipX = smooth.poses.map((p) => (p[KP.left_hip].x + p[KP.right_hip].x) / 2);
    for (let i = 1; i < hipX.length; i++) expect(Math.abs(hipX[i] - hipX[i - 1])).toBeLessThan(0.1 * size.width);
  });
});
