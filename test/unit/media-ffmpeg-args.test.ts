import { describe, expect, it } from 'vitest';
import { decodeImageArgs, decodeVideoArgs, encodeVideoArgs, fpsRational, orientationFilters, pngArgs, probeArgs } from '../../src/media/ffmpeg-args.js';

describe('probeArgs', () => {
  it('asks for JSON format and streams of a file: input', () => {
    expect(probeArgs('/tmp/a b.mp4')).toEqual(['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', 'file:/tmp/a b.mp4']);
  });
});

describe('fpsRational', () => {
  it('gives exact NTSC rationals, integers, else milli-frames', () => {
    expect(fpsRational(30000 / 1001)).toBe('30000/1001');
    expect(fpsRational(29.97)).toBe('30000/1001');
    expect(fpsRational(24000 / 1001)).toBe('24000/1001');
    expect(fpsRational(60000 / 1001)).toBe('60000/1001');
    expect(fpsRational(25)).toBe('25');
    expect(fpsRational(12.0000001)).toBe('12');
    expect(fpsRational(480 / 17)).toBe('28235/1000');
    expect(() => fpsRational(0)).toThrow(RangeError);
    expect(() => fpsRational(NaN)).toThrow(RangeError);
  });
});

describe('decodeVideoArgs', () => {
  it('maps the first video stream through fps then scale, raw frames on stdout', () => {
    expect(decodeVideoArgs({ input: '/in/v.mp4', width: 360, height: 640, fps: 30, pixFmt: 'rgb24' })).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-i', 'file:/in/v.mp4', '-map', '0:v:0',
      '-vf', 'fps=30,scale=360:640:flags=bicubic', '-fps_mode', 'passthrough',
      '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
    ]);
  });

  it('limits the duration when asked and keeps NTSC rates exact', () => {
    const args = decodeVideoArgs({ input: 'v.mov', width: 100, height: 50, fps: 30000 / 1001, pixFmt: 'rgba', durationS: 2.5 });
    expect(args.slice(args.indexOf('-t'), args.indexOf('-t') + 2)).toEqual(['-t', '2.500000']);
    expect(args[args.indexOf('-vf') + 1]).toBe('fps=30000/1001,scale=100:50:flags=bicubic');
    expect(args[args.indexOf('-pix_fmt') + 1]).toBe('rgba');
  });

  it('decimates by frame number on the fps grid when asked (the comma escaped for the filter graph)', () => {
    const args = decodeVideoArgs({ input: 'v.mp4', width: 64, height: 36, fps: 30000 / 1001, pixFmt: 'rgb24', everyNth: 2 });
    expect(args[args.indexOf('-vf') + 1]).toBe('fps=30000/1001,select=not(mod(n\\,2)),scale=64:36:flags=bicubic');
    expect(decodeVideoArgs({ input: 'v.mp4', width: 64, height: 36, fps: 30, pixFmt: 'rgb24', everyNth: 1 })[8 + 1]).toBe('fps=30,scale=64:36:flags=bicubic');
  });
});

describe('decodeImageArgs', () => {
  it('decodes one RGBA frame with autorotate off and no filter for orientation 1', () => {
    expect(decodeImageArgs({ input: '/in/i.jpg', orientation: 1 })).toEqual([
      '-hide_banner', '-nostdin', '-v', 'error', '-noautorotate', '-f', 'image2pipe', '-i', 'file:/in/i.jpg',
      '-frames:v', '1', '-pix_fmt', 'rgba', '-f', 'rawvideo', 'pipe:1',
    ]);
  });

  it('applies each EXIF orientation with flips/transposes, then scales', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((o) => orientationFilters(o).join(','))).toEqual(
      ['', 'hflip', 'hflip,vflip', 'vflip', 'transpose=0', 'transpose=1', 'transpose=3', 'transpose=2']);
    const args = decodeImageArgs({ input: 'i.png', orientation: 6, width: 300, height: 400 });
    expect(args[args.indexOf('-vf') + 1]).toBe('transpose=1,scale=300:400:flags=bicubic');
  });
});

describe('encodeVideoArgs', () => {
  it('reads rgb24 from stdin and writes H.264 yuv420p faststart MP4 with an explicit duration', () => {
    expect(encodeVideoArgs({ output: '/out/o.mp4', width: 640, height: 360, fps: 25, frameCount: 100 })).toEqual([
      '-hide_banner', '-v', 'error', '-y',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '640x360', '-framerate', '25', '-i', 'pipe:0',
      '-map', '0:v:0',
      '-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p',
      '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
      '-t', '4.000000', '-movflags', '+faststart', '-f', 'mp4', 'file:/out/o.mp4',
    ]);
  });

  it('maps the optional first audio track of audioFrom and encodes it as AAC', () => {
    const args = encodeVideoArgs({ output: 'o.mp4', width: 640, height: 360, fps: 30000 / 1001, frameCount: 300, audioFrom: '/in/v.mp4', crf: 23, preset: 'ultrafast' });
    expect(args).toEqual([
      '-hide_banner', '-v', 'error', '-y',
      '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', '640x360', '-framerate', '30000/1001', '-i', 'pipe:0',
      '-i', 'file:/in/v.mp4', '-map', '0:v:0', '-map', '1:a:0?',
      '-vf', 'scale=out_color_matrix=bt709:out_range=tv,format=yuv420p',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-pix_fmt', 'yuv420p',
      '-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv',
      '-c:a', 'aac', '-b:a', '128k',
      '-t', '10.010000', '-movflags', '+faststart', '-f', 'mp4', 'file:o.mp4',
    ]);
    expect(args).not.toContain('-shortest');
  });

  it('crops odd sizes to even for yuv420p', () => {
    const args = encodeVideoArgs({ output: 'o.mp4', width: 641, height: 360, fps: 10, frameCount: 10 });
    expect(args[args.indexOf('-vf') + 1]).toBe('crop=trunc(iw/2)*2:trunc(ih/2)*2:0:0,scale=out_color_matrix=bt709:out_range=tv,format=yuv420p');
    const even = encodeVideoArgs({ output: 'o.mp4', width: 640, height: 360, fps: 10, frameCount: 10 });
    expect(even[even.indexOf('-vf') + 1]).not.toContain('crop');
  });
});

describe('pngArgs', () => {
  it.each(['rgb24', 'rgba', 'gray'] as const)('writes one %s frame from stdin as a single PNG', (pixFmt) => {
    expect(pngArgs({ output: '/d/mask%d.png', width: 8, height: 4, pixFmt })).toEqual([
      '-hide_banner', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', pixFmt, '-s', '8x4', '-i', 'pipe:0',
      '-frames:v', '1', '-c:v', 'png', '-f', 'image2', '-update', '1', 'file:/d/mask%d.png',
    ]);
  });
});
