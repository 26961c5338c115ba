import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import type { ImageInfo, VideoInfo } from '../../src/media/inspect.js';
import { MAX_INPUT_BYTES, validateImageInfo, validateVideoInfo } from '../../src/media/limits.js';

const image = (o: Partial<ImageInfo> = {}): ImageInfo => ({ format: 'jpeg', width: 800, height: 600, bytes: 1000, hasAlpha: false, orientation: 1, ...o });
const video = (o: Partial<VideoInfo> = {}): VideoInfo => ({
  container: 'mp4', width: 640, height: 360, codedWidth: 640, codedHeight: 360, rotation: 0, fps: 30,
  durationS: 5, frameCount: 150, hasAudio: true, videoCodec: 'h264', ...o,
});

function caught(fn: () => void): AppError | null {
  try { fn(); return null; } catch (err) { if (err instanceof AppError) return err; throw err; }
}

describe('validateImageInfo', () => {
  it('accepts exactly 10 MB, refuses one byte more naming limit and size', () => {
    expect(caught(() => validateImageInfo(image({ bytes: MAX_INPUT_BYTES })))).toBeNull();
    const err = caught(() => validateImageInfo(image({ bytes: MAX_INPUT_BYTES + 1 })));
    expect(err).toMatchObject({ reason: 'IMAGE_FILE_EXCEEDS_MAX_SIZE', metadata: { field: 'image', limit: 10_485_760, actual: 10_485_761, unit: 'bytes' } });
    expect(err?.message).toBe('image is 10.0 MB (10485761 bytes); the limit is 10 MB (10485760 bytes)');
  });

  it('accepts 300 px sides, refuses 299 with the message the contract shows', () => {
    expect(caught(() => validateImageInfo(image({ width: 300, height: 300 })))).toBeNull();
    const err = caught(() => validateImageInfo(image({ width: 299, height: 400 })));
    expect(err).toMatchObject({ reason: 'INVALID_IMAGE_SIZE', message: 'image is 299x400 px; width and height must each be at least 300 px',
      metadata: { field: 'image', limit: 300, actual: '299x400', unit: 'px' } });
    expect(caught(() => validateImageInfo(image({ width: 400, height: 299 })))?.reason).toBe('INVALID_IMAGE_SIZE');
  });

  it('accepts aspect exactly 2.5:1 and 1:2.5, refuses a pixel beyond', () => {
    expect(caught(() => validateImageInfo(image({ width: 1000, height: 400 })))).toBeNull();
    expect(caught(() => validateImageInfo(image({ width: 400, height: 1000 })))).toBeNull();
    expect(caught(() => validateImageInfo(image({ width: 1001, height: 400 })))?.reason).toBe('INVALID_IMAGE_SIZE');
    expect(caught(() => validateImageInfo(image({ width: 1010, height: 400 })))).toMatchObject({ metadata: { limit: 2.5, actual: 2.525 } });
    const tall = caught(() => validateImageInfo(image({ width: 400, height: 1001 })));
    expect(tall).toMatchObject({ reason: 'INVALID_IMAGE_SIZE', metadata: { limit: 0.4, actual: 0.4 } });
    expect(tall?.message).toContain('400x1001 px');
  });

  it('refuses more than 50 megapixels as IMAGE_EXCEEDS_MAX_RESOLUTION, accepts exactly 50', () => {
    expect(caught(() => validateImageInfo(image({ width: 10_000, height: 5_000 })))).toBeNull();
    expect(caught(() => validateImageInfo(image({ width: 10_001, height: 5_000 })))).toMatchObject({
      reason: 'IMAGE_EXCEEDS_MAX_RESOLUTION', metadata: { field: 'image', limit: 50_000_000, actual: 50_005_000, unit: 'pixels' } });
  });
});

describe('validateVideoInfo', () => {
  it('judges the display size: 300 passes, 299 fails, message names what was seen', () => {
    expect(caught(() => validateVideoInfo(video({ width: 300, height: 300 }), 'video'))).toBeNull();
    const err = caught(() => validateVideoInfo(video({ width: 320, height: 240 }), 'video'));
    expect(err).toMatchObject({ reason: 'INVALID_VIDEO_SIZE', message: 'video is 320x240 px; width and height must each be at least 300 px',
      metadata: { field: 'video', limit: 300, actual: '320x240' } });
  });

  it('aspect limits are inclusive for video too', () => {
    expect(caught(() => validateVideoInfo(video({ width: 750, height: 300 }), 'video'))).toBeNull();
    expect(caught(() => validateVideoInfo(video({ width: 751, height: 300 }), 'video'))?.reason).toBe('INVALID_VIDEO_SIZE');
    expect(caught(() => validateVideoInfo(video({ width: 300, height: 751 }), 'video'))?.reason).toBe('INVALID_VIDEO_SIZE');
  });

  it.each([
    [2.9, 'video', false], [2.96, 'video', true], [3, 'video', true], [30, 'video', true], [30.04, 'video', true], [30.1, 'video', false],
    [10, 'image', true], [10.1, 'image', false], [3, 'image', true], [2.94, 'image', false],
  ] as const)('duration %s s with orientation=%s accepted: %s', (durationS, orientation, ok) => {
    const err = caught(() => validateVideoInfo(video({ durationS }), orientation));
    if (ok) expect(err).toBeNull();
    else expect(err?.reason).toBe('INVALID_VIDEO_DURATION');
  });

  it('says which orientation limits the duration, with the value seen', () => {
    const long = caught(() => validateVideoInfo(video({ durationS: 33.648 }), 'video'));
    expect(long).toMatchObject({ message: 'video lasts 33.6 s; with character_orientation=video it must last 3 to 30 s',
      metadata: { field: 'video', limit: 30, actual: 33.6, unit: 's' } });
    const forImage = caught(() => validateVideoInfo(video({ durationS: 12 }), 'image'));
    expect(forImage).toMatchObject({ message: 'video lasts 12.0 s; with character_orientation=image it must last 3 to 10 s', metadata: { limit: 10 } });
    expect(caught(() => validateVideoInfo(video({ durationS: 1 }), 'image'))).toMatchObject({ metadata: { limit: 3, actual: 1 } });
    expect(caught(() => validateVideoInfo(video({ durationS: NaN }), 'video'))?.reason).toBe('INVALID_VIDEO_DURATION');
  });

  it('refuses a file over 10 MB when its size is known', () => {
    expect(caught(() => validateVideoInfo(video({ bytes: MAX_INPUT_BYTES }), 'video'))).toBeNull();
    expect(caught(() => validateVideoInfo(video({ bytes: MAX_INPUT_BYTES + 1 }), 'video'))).toMatchObject({
      reason: 'VIDEO_FILE_EXCEEDS_MAX_SIZE', metadata: { field: 'video', limit: MAX_INPUT_BYTES, actual: MAX_INPUT_BYTES + 1 } });
  });
});
