/** inspectVideoFile / inspectImageFile against real ffmpeg on media generated here (lavfi). */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffprobeJson, runFfmpeg } from '../../src/media/ffmpeg.js';
import { inspectImageFile, inspectVideoFile } from '../../src/media/inspect.js';
import { parseProbe } from '../../src/media/probe.js';

let dir: string;
const file = (name: string): string => path.join(dir, name);
const gen = async (args: string[]): Promise<void> => { await runFfmpeg(['-hide_banner', '-v', 'error', '-y', ...args]); };

async function clip(name: string, o: { size?: string; seconds?: number; fps?: number; audio?: boolean; extra?: string[] } = {}): Promise<string> {
  const seconds = o.seconds ?? 4;
  const args = ['-f', 'lavfi', '-i', `testsrc2=size=${o.size ?? '640x360'}:rate=${o.fps ?? 15}:duration=${seconds}`];
  if (o.audio ?? true) args.push('-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-c:a', 'aac');
  args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', ...(o.extra ?? []), file(name));
  await gen(args);
  return file(name);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'media-inspect-'));
  await clip('base.mp4');
});
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('inspectVideoFile', () => {
  it('accepts a 4 s 640x360 MP4 with sine audio and reports it exactly', async () => {
    const info = await inspectVideoFile(file('base.mp4'), 'image');
    expect(info).toMatchObject({ container: 'mp4', width: 640, height: 360, codedWidth: 640, codedHeight: 360, rotation: 0, fps: 15,
      frameCount: 60, hasAudio: true, videoCodec: 'h264', bytes: (await stat(file('base.mp4'))).size });
    expect(info.durationS).toBeCloseTo(4, 2);
  });

  it('applies display-matrix rotation: 640x360 with rotate=90 is a 360x640 video', async () => {
    const rotated = file('rotated.mp4');
    await gen(['-i', file('base.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated]);
    // ffprobe itself shows the display matrix.
    expect(JSON.stringify(await ffprobeJson(rotated))).toContain('Display Matrix');
    expect(parseProbe(await ffprobeJson(rotated)).video?.rotation).toBe(90);
    expect(await inspectVideoFile(rotated, 'video')).toMatchObject({ width: 360, height: 640, codedWidth: 640, codedHeight: 360, rotation: 90 });
  });

  it('accepts a MOV container and names it', async () => {
    const mov = await clip('clip.mov', { audio: false, extra: ['-f', 'mov'] });
    expect(await inspectVideoFile(mov, 'video')).toMatchObject({ container: 'mov', hasAudio: false });
  });

  it('refuses a truncated MP4 as unreadable', async () => {
    const whole = await readFile(file('base.mp4'));
    await writeFile(file('truncated.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
    await expect(inspectVideoFile(file('truncated.mp4'), 'video')).rejects.toMatchObject({
      reason: 'INVALID_VIDEO_FORMAT', message: 'video could not be read: file is truncated or not a video', metadata: { field: 'video' } });
  });

  it('refuses a faststart MP4 cut inside its media data, which ffprobe alone would accept', async () => {
    await gen(['-i', file('base.mp4'), '-c', 'copy', '-movflags', '+faststart', file('faststart.mp4')]);
    const whole = await readFile(file('faststart.mp4'));
    await writeFile(file('faststart-cut.mp4'), whole.subarray(0, Math.floor(whole.length * 0.6)));
    expect(parseProbe(await ffprobeJson(file('faststart-cut.mp4'))).video).not.toBeNull();
    await expect(inspectVideoFile(file('faststart-cut.mp4'), 'video')).rejects.toMatchObject({
      reason: 'INVALID_VIDEO_FORMAT', message: 'video could not be read: file is truncated or not a video' });
    expect((await inspectVideoFile(file('faststart.mp4'), 'video')).frameCount).toBe(60);
  });

  it('refuses a text file named .mp4, an MKV and an AVI by their bytes', async () => {
    await writeFile(file('notes.mp4'), 'this is not a video, just some text\n'.repeat(20));
    await expect(inspectVideoFile(file('notes.mp4'), 'video')).rejects.toMatchObject({
      reason: 'INVALID_VIDEO_FORMAT', message: 'video is a text file; only MP4 or MOV (ISO BMFF) is accepted' });
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15:duration=4', '-c:v', 'libx264', '-preset', 'ultrafast', file('clip.mkv')]);
    await expect(inspectVideoFile(file('clip.mkv'), 'video')).rejects.toMatchObject({
      reason: 'INVALID_VIDEO_FORMAT', message: 'video is a Matroska/WebM file; only MP4 or MOV (ISO BMFF) is accepted' });
    // MP4 data behind an .avi name is fine; AVI data behind an .mp4 name is not.
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=15:duration=4', '-c:v', 'mjpeg', '-f', 'avi', file('real-avi.mp4')]);
    await expect(inspectVideoFile(file('real-avi.mp4'), 'video')).rejects.toMatchObject({
      reason: 'INVALID_VIDEO_FORMAT', message: 'video is an AVI file; only MP4 or MOV (ISO BMFF) is accepted', metadata: { actual: 'avi' } });
    await gen(['-i', file('base.mp4'), '-c', 'copy', '-f', 'mp4', file('mp4-data.avi')]);
    expect((await inspectVideoFile(file('mp4-data.avi'), 'video')).container).toBe('mp4');
  });

  it('refuses an MP4 without a video stream', async () => {
    await gen(['-f', 'lavfi', '-i', 'sine=duration=4', '-c:a', 'aac', '-f', 'mp4', file('audio.mp4')]);
    await expect(inspectVideoFile(file('audio.mp4'), 'video')).rejects.toMatchObject({ reason: 'INVALID_VIDEO_FORMAT', message: expect.stringContaining('no video stream') as unknown });
  });

  it('refuses a 1 s clip and a 320x240 clip, naming limit and value', async () => {
    await clip('short.mp4', { seconds: 1 });
    await expect(inspectVideoFile(file('short.mp4'), 'video')).rejects.toMatchObject({
      reason: 'INVALID_VIDEO_DURATION', message: 'video lasts 1.0 s; with character_orientation=video it must last 3 to 30 s',
      metadata: { field: 'video', limit: 3, actual: 1, unit: 's' } });
    await clip('small.mp4', { size: '320x240' });
    await expect(inspectVideoFile(file('small.mp4'), 'video')).rejects.toMatchObject({
      reason: 'INVALID_VIDEO_SIZE', message: 'video is 320x240 px; width and height must each be at least 300 px',
      metadata: { field: 'video', limit: 300, actual: '320x240' } });
  });

  it('allows 12 s with orientation=video but not with orientation=image', async () => {
    await clip('twelve.mp4', { seconds: 12, fps: 5, size: '320x320', audio: false });
    expect((await inspectVideoFile(file('twelve.mp4'), 'video')).durationS).toBeCloseTo(12, 1);
    await expect(inspectVideoFile(file('twelve.mp4'), 'image')).rejects.toMatchObject({
      reason: 'INVALID_VIDEO_DURATION', message: 'video lasts 12.0 s; with character_orientation=image it must last 3 to 10 s' });
  });
});

describe('inspectImageFile', () => {
  it('reads PNG (with and without alpha) and JPEG made by ffmpeg', async () => {
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=480x640', '-frames:v', '1', file('rgb.png')]);
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=480x640', '-frames:v', '1', '-pix_fmt', 'rgba', file('rgba.png')]);
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=1000x400', '-frames:v', '1', file('wide.jpg')]);
    expect(await inspectImageFile(file('rgb.png'))).toMatchObject({ format: 'png', width: 480, height: 640, hasAlpha: false, orientation: 1 });
    expect(await inspectImageFile(file('rgba.png'))).toMatchObject({ format: 'png', hasAlpha: true });
    expect(await inspectImageFile(file('wide.jpg'))).toMatchObject({ format: 'jpeg', width: 1000, height: 400 });
  });

  it('refuses small, too-wide and non-image files', async () => {
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=320x600', '-vf', 'scale=299:600', '-frames:v', '1', file('narrow.png')]);
    await expect(inspectImageFile(file('narrow.png'))).rejects.toMatchObject({ reason: 'INVALID_IMAGE_SIZE', metadata: { actual: '299x600' } });
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=1010x400', '-frames:v', '1', file('wider.jpg')]);
    await expect(inspectImageFile(file('wider.jpg'))).rejects.toMatchObject({ reason: 'INVALID_IMAGE_SIZE', metadata: { limit: 2.5 } });
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=400x400', '-frames:v', '1', file('pic.gif')]);
    await expect(inspectImageFile(file('pic.gif'))).rejects.toMatchObject({ reason: 'INVALID_IMAGE_FORMAT', message: 'image is a GIF image; only JPEG or PNG is accepted' });
    await expect(inspectImageFile(file('base.mp4'))).rejects.toMatchObject({ reason: 'INVALID_IMAGE_FORMAT', message: 'image is an MP4/MOV file; only JPEG or PNG is accepted' });
  });
});
