import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { videoInfoFromProbe } from '../../src/media/inspect.js';
import { chooseFps, normaliseRotation, parseProbe, parseRate } from '../../src/media/probe.js';

// Captured from ffprobe 5.1 (`-print_format json -show_format -show_streams`), trimmed to the keys read.
// 640x360 testsrc2 + sine, remuxed with `-metadata:s:v:0 rotate=90`.
const ROTATED = {"streams": [{"index": 0, "codec_name": "h264", "codec_type": "video", "width": 640, "height": 360, "coded_width": 640, "coded_height": 360, "pix_fmt": "yuv420p", "r_frame_rate": "25/1", "avg_frame_rate": "25/1", "duration": "4.000000", "nb_frames": "100", "side_data_list": [{"side_data_type": "Display Matrix", "rotation": 90}], "tags": {"language": "und", "handler_name": "VideoHandler"}}, {"index": 1, "codec_name": "aac", "codec_type": "audio", "r_frame_rate": "0/0", "avg_frame_rate": "0/0", "duration": "4.000000", "nb_frames": "174", "tags": {"language": "und", "handler_name": "SoundHandler"}}], "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "4.000000", "size": "934845", "tags": {"major_brand": "isom", "minor_version": "512", "compatible_brands": "isomiso2avc1mp41", "encoder": "Lavf59.27.100"}}};
// Variable frame rate: 60 fps testsrc2 with frames dropped by `select`, written with -fps_mode vfr.
const VFR = {"streams": [{"index": 0, "codec_name": "h264", "codec_type": "video", "width": 320, "height": 240, "coded_width": 320, "coded_height": 240, "pix_fmt": "yuv420p", "r_frame_rate": "60/1", "avg_frame_rate": "480/17", "duration": "3.966667", "nb_frames": "112", "tags": {"language": "und", "handler_name": "VideoHandler"}}], "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "3.967000", "size": "374886", "tags": {"major_brand": "isom", "minor_version": "512", "compatible_brands": "isomiso2avc1mp41", "encoder": "Lavf59.27.100"}}};
// AAC only, in an .m4a.
const AUDIO_ONLY = {"streams": [{"index": 0, "codec_name": "aac", "codec_type": "audio", "r_frame_rate": "0/0", "avg_frame_rate": "0/0", "duration": "4.000000", "nb_frames": "174", "tags": {"language": "und", "handler_name": "SoundHandler"}}], "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "4.000000", "size": "36421", "tags": {"major_brand": "M4A ", "minor_version": "512", "compatible_brands": "M4A isomiso2", "encoder": "Lavf59.27.100"}}};

describe('parseProbe', () => {
  it('applies the display-matrix rotation to the display size', () => {
    const p = parseProbe(ROTATED);
    expect(p.video).toEqual({ index: 0, codecName: 'h264', pixFmt: 'yuv420p', codedWidth: 640, codedHeight: 360, width: 360, height: 640,
      rotation: 90, fps: 25, durationS: 4, frameCount: 100 });
    expect(p).toMatchObject({ hasAudio: true, audioCodec: 'aac', majorBrand: 'isom', formatDurationS: 4, sizeBytes: 934845, streamCount: 2 });
  });

  it('prefers avg_frame_rate when r_frame_rate is odd (VFR)', () => {
    const v = parseProbe(VFR).video;
    expect(v?.fps).toBeCloseTo(480 / 17, 9);
    expect(v).toMatchObject({ width: 320, height: 240, rotation: 0, durationS: 3.966667, frameCount: 112 });
    expect(parseProbe(VFR).hasAudio).toBe(false);
  });

  it('reports no video stream for audio-only files', () => {
    const p = parseProbe(AUDIO_ONLY);
    expect(p.video).toBeNull();
    expect(p.majorBrand).toBe('M4A');
    expect(() => videoInfoFromProbe(p, 'M4A', 36421)).toThrow(AppError);
  });

  it('falls back to the legacy rotate tag (clockwise), format duration and duration × fps', () => {
    const legacy = { streams: [{ index: 0, codec_type: 'video', codec_name: 'h264', width: 1920, height: 1080, r_frame_rate: '30000/1001',
      avg_frame_rate: '0/0', tags: { rotate: '90' } }], format: { duration: '5.005', format_name: 'mov,mp4,m4a,3gp,3g2,mj2' } };
    expect(parseProbe(legacy).video).toMatchObject({ width: 1080, height: 1920, rotation: 270, durationS: 5.005, frameCount: 150 });
  });

  it('skips cover-art video streams and survives junk', () => {
    const cover = { streams: [{ index: 0, codec_type: 'video', codec_name: 'mjpeg', width: 600, height: 600, disposition: { attached_pic: 1 } },
      { index: 1, codec_type: 'audio', codec_name: 'aac' }], format: {} };
    expect(parseProbe(cover).video).toBeNull();
    expect(parseProbe(null)).toMatchObject({ video: null, hasAudio: false, streamCount: 0 });
    expect(parseProbe({ streams: 'x', format: 3 }).video).toBeNull();
  });

  it('turns a probe into VideoInfo, container by brand', () => {
    const info = videoInfoFromProbe(parseProbe(ROTATED), 'qt', 934845);
    expect(info).toEqual({ container: 'mov', width: 360, height: 640, codedWidth: 640, codedHeight: 360, rotation: 90, fps: 25, durationS: 4,
      frameCount: 100, hasAudio: true, videoCodec: 'h264', bytes: 934845 });
    expect(videoInfoFromProbe(parseProbe(VFR), 'isom', 1).container).toBe('mp4');
  });
});

describe('rates and rotations', () => {
  it('parses rational rates', () => {
    expect(parseRate('30000/1001')).toBeCloseTo(29.97, 2);
    expect(parseRate('25')).toBe(25);
    expect(parseRate('0/0')).toBeNaN();
    expect(parseRate('abc')).toBeNaN();
    expect(parseRate(undefined)).toBeNaN();
  });

  it('chooses r_frame_rate unless it disagrees with the average by more than 2 %', () => {
    expect(chooseFps(30000 / 1001, 2997 / 100)).toBeCloseTo(30000 / 1001, 9);
    expect(chooseFps(60, 29.5)).toBe(29.5);
    expect(chooseFps(NaN, 24)).toBe(24);
    expect(chooseFps(24, NaN)).toBe(24);
    expect(chooseFps(90000, NaN)).toBeNaN();
  });

  it('normalises rotations to 0/90/180/270', () => {
    expect([0, 90, -90, 180, -180, 270, 360, 89.99, -270].map(normaliseRotation)).toEqual([0, 90, 270, 180, 180, 270, 0, 90, 90]);
    expect(normaliseRotation(NaN)).toBe(0);
  });
});
