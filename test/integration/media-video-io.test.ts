/** Frame reader, MP4 writer, image reader and PNG writer against real ffmpeg. */
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegError, ffprobeJson, runFfmpeg } from '../../src/media/ffmpeg.js';
import { readVideoFrames } from '../../src/media/video-reader.js';
import { createVideoWriter, partialPath } from '../../src/media/video-writer.js';

let dir: string;
const file = (name: string): string => path.join(dir, name);
const gen = async (args: string[]): Promise<void> => { await runFfmpeg(['-hide_banner', '-v', 'error', '-y', ...args]); };
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const f of it) out.push(f);
  return out;
}

/** Grey level of frame N is 16 + step·N in limited-range luma: frame order is visible in the pixels. */
async function rampClip(name: string, o: { fps: number; seconds: number; step: number; size?: string }): Promise<string> {
  await gen(['-f', 'lavfi', '-i', `color=c=black:s=${o.size ?? '64x48'}:r=${o.fps}:d=${o.seconds},format=yuv444p,geq=lum='16+${o.step}*N':cb=128:cr=128`,
    '-c:v', 'libx264', '-qp', '0', '-pix_fmt', 'yuv444p', file(name)]);
  return file(name);
}
/** The RGB value a limited-range luma becomes. */
const grey = (luma: number): number => Math.round(((luma - 16) * 255) / 219);

interface Probed { streams: { codec_type: string; codec_name: string; pix_fmt?: string; nb_frames?: string }[]; format: { duration: string } }

/** Offsets of the top-level boxes of an MP4. */
function topLevelBoxes(mp4: Buffer): Map<string, number> {
  const boxes = new Map<string, number>();
  for (let at = 0; at + 8 <= mp4.length;) {
    let size = mp4.readUInt32BE(at);
    const type = mp4.toString('latin1', at + 4, at + 8);
    if (size === 1) size = Number(mp4.readBigUInt64BE(at + 8));
    if (!boxes.has(type)) boxes.set(type, at);
    if (size < 8) break;
    at += size;
  }
  return boxes;
}

beforeAll(async () => { dir = await mkdtemp(path.join(os.tmpdir(), 'media-io-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('readVideoFrames', () => {
  it('yields exact frame-size chunks, in order, with the right pixels', async () => {
    const clip = await rampClip('ramp10.mp4', { fps: 10, seconds: 3, step: 7 });
    const frames = await collect(readVideoFrames({ input: clip, width: 64, height: 48, fps: 10 }));
    expect(frames).toHaveLength(30);
    frames.forEach((f, k) => {
      expect(f.length).toBe(64 * 48 * 3);
      const want = grey(16 + 7 * k);
      for (const i of [0, 1, 2, 5000, f.length - 1]) expect(Math.abs(f[i] - want)).toBeLessThanOrEqual(2);
    });
    // Each frame is its own buffer.
    expect(frames[0].buffer).not.toBe(frames[1].buffer);
  });

  it('maps 30 fps input onto a 10 fps grid: output frame k is source frame 3k', async () => {
    const clip = await rampClip('ramp30.mp4', { fps: 30, seconds: 3, step: 2 });
    const frames = await collect(readVideoFrames({ input: clip, width: 32, height: 24, fps: 10 }));
    expect(frames).toHaveLength(30);
    frames.forEach((f, k) => expect(Math.abs(f[100] - grey(16 + 2 * 3 * k))).toBeLessThanOrEqual(2));
  });

  it('puts variable-frame-rate input on the same constant grid every time', async () => {
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=60:duration=4', '-vf', "select='not(mod(n\\,3))+not(mod(n\\,5))'",
      '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', file('vfr.mp4')]);
    const read = async (): Promise<Buffer> => Buffer.concat(await collect(readVideoFrames({ input: file('vfr.mp4'), width: 160, height: 120, fps: 30 })));
    const a = await read();
    const b = await read();
    expect(a.length / (160 * 120 * 3)).toBe(119); // 3.967 s × 30 fps
    expect(a.equals(b)).toBe(true);
  });

  it('applies the display-matrix rotation while decoding', async () => {
    // Stored 640x360: left half red, right half blue; rotate=90 makes it a 360x640 picture with the halves stacked.
    await gen(['-f', 'lavfi', '-i', 'color=c=red:s=320x360:r=10:d=3', '-f', 'lavfi', '-i', 'color=c=blue:s=320x360:r=10:d=3',
      '-filter_complex', 'hstack', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file('halves.mp4')]);
    await gen(['-i', file('halves.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90', file('halves-rotated.mp4')]);
    const frames = await collect(readVideoFrames({ input: file('halves-rotated.mp4'), width: 36, height: 64, fps: 10 }));
    expect(frames).toHaveLength(30);
    const px = (x: number, y: number): number[] => [...frames[0].subarray((y * 36 + x) * 3, (y * 36 + x) * 3 + 3)];
    // Top and bottom differ (rotated), left and right of one row agree (not merely squeezed).
    expect(px(18, 5)[0] - px(18, 58)[0]).not.toBe(0);
    expect(Math.abs(px(18, 5)[2] - px(18, 58)[2])).toBeGreaterThan(150);
    px(3, 5).forEach((v, c) => expect(Math.abs(v - px(32, 5)[c])).toBeLessThanOrEqual(6));
  });

  it('stops ffmpeg when the consumer stops early', async () => {
    const clip = file('long.mp4');
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=10', '-c:v', 'libx264', '-preset', 'ultrafast', clip]);
    let n = 0;
    for await (const frame of readVideoFrames({ input: clip, width: 320, height: 240, fps: 25 })) {
      expect(frame.length).toBe(320 * 240 * 3);
      if (++n === 2) break;
    }
    const ps = await promisify(execFile)('pgrep', ['-f', clip]).then((r) => r.stdout, () => '');
    expect(ps).toBe('');
  });

  it('rejects with ffmpeg\'s reason when the input cannot be decoded, and honours abort', async () => {
    const missing = readVideoFrames({ input: file('missing.mp4'), width: 64, height: 48, fps: 10 });
    const err = await collect(missing).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as Error).message).toMatch(/missing\.mp4.*No such file/);

    const ac = new AbortController();
    const reason = new Error('task cancelled');
    const frames = readVideoFrames({ input: file('ramp10.mp4'), width: 64, height: 48, fps: 10, signal: ac.signal });
    const aborted = (async () => {
      for await (const frame of frames) if (frame.length > 0) ac.abort(reason);
    })();
    await expect(aborted).rejects.toBe(reason);
  });
});

describe('createVideoWriter', () => {
  const W = 160;
  const H = 120;
  const solid = (r: number, g: number, b: number): Uint8Array => {
    const f = new Uint8Array(W * H * 3);
    for (let i = 0; i < f.length; i += 3) { f[i] = r; f[i + 1] = g; f[i + 2] = b; }
    return f;
  };

  it('writes H.264 yuv420p faststart MP4 with every frame, visible only once finished', async () => {
    const out = file('out.mp4');
    const writer = createVideoWriter({ output: out, width: W, height: H, fps: 10, frameCount: 20 });
    const frame = solid(0, 0, 0);
    for (let k = 0; k < 20; k++) {
      frame.fill(k * 12); // the same buffer, reused: write resolves once ffmpeg has the bytes
      await writer.write(frame);
    }
    expect(await exists(out)).toBe(false);
    expect(await exists(partialPath(out))).toBe(true);
    await writer.finish();
    expect(await exists(partialPath(out))).toBe(false);

    const probe = await ffprobeJson(out) as Probed;
    expect(probe.streams).toHaveLength(1);
    expect(probe.streams[0]).toMatchObject({ codec_type: 'video', codec_name: 'h264', pix_fmt: 'yuv420p', nb_frames: '20' });
    expect(Number(probe.format.duration)).toBeCloseTo(2, 1);
    const boxes = topLevelBoxes(await readFile(out));
    expect(boxes.get('moov')).toBeLessThan(boxes.get('mdat') ?? -1);

    const back = await collect(readVideoFrames({ input: out, width: W, height: H, fps: 10 }));
    expect(back).toHaveLength(20);
    back.forEach((f, k) => expect(Math.abs(f[W * 3 * 60 + 240] - k * 12)).toBeLessThanOrEqual(4));
  });

  it('writes BT.709 and tags it so, and colours come back as they went in', async () => {
    const out = file('colours.mp4');
    // A cyan sky, a skin tone and a grass green: the BT.601/BT.709 mix-up moves each by several levels.
    const colours: [number, number, number][] = [[74, 225, 201], [224, 172, 140], [60, 140, 40]];
    const writer = createVideoWriter({ output: out, width: W, height: H, fps: 10, frameCount: colours.length });
    for (const [r, g, b] of colours) await writer.write(solid(r, g, b));
    await writer.finish();
    const probe = await ffprobeJson(out) as { streams: Record<string, string>[] };
    expect(probe.streams[0]).toMatchObject({ color_space: 'bt709', color_primaries: 'bt709', color_transfer: 'bt709', color_range: 'tv' });
    const back = await collect(readVideoFrames({ input: out, width: W, height: H, fps: 10 }));
    back.forEach((f, k) => {
      const at = W * 3 * 60 + 240;
      for (let c = 0; c < 3; c++) expect(Math.abs(f[at + c] - colours[k][c])).toBeLessThanOrEqual(3);
    });
  });

  it('carries the audio of audioFrom, cut to the video length; none when the source has none', async () => {
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15:duration=4', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=4',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', file('with-audio.mp4')]);
    await gen(['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15:duration=4', '-c:v', 'libx264', '-preset', 'ultrafast', file('silent.mp4')]);
    for (const [source, audio] of [['with-audio.mp4', true], ['silent.mp4', false]] as const) {
      const out = file(`dub-${source}`);
      const writer = createVideoWriter({ output: out, width: W, height: H, fps: 10, frameCount: 25, audioFrom: file(source) });
      for (let k = 0; k < 25; k++) await writer.write(solid(200, 30, 30));
      await writer.finish();
      const probe = await ffprobeJson(out) as Probed;
      expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(audio ? ['audio', 'video'] : ['video']);
      if (audio) expect(probe.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac');
      expect(probe.streams.find((s) => s.codec_type === 'video')?.nb_frames).toBe('25');
      expect(Number(probe.format.duration)).toBeGreaterThan(2.4);
      expect(Number(probe.format.duration)).toBeLessThan(2.6);
    }
  });

  it('abort kills ffmpeg and leaves no file; wrong frames are refused', async () => {
    const out = file('aborted.mp4');
    const writer = createVideoWriter({ output: out, width: W, height: H, fps: 10, frameCount: 2 });
    await expect(writer.write(new Uint8Array(10))).rejects.toThrow(RangeError);
    await writer.write(solid(1, 2, 3));
    await writer.write(solid(1, 2, 3));
    await expect(writer.write(solid(1, 2, 3))).rejects.toThrow(/already has its 2 frames/);
    await writer.abort();
    expect(await exists(out)).toBe(false);
    expect(await exists(partialPath(out))).toBe(false);
    await expect(writer.finish()).rejects.toThrow(/aborted/);
  });

  it('reports ffmpeg failing and removes the partial file', async () => {
    const out = path.join(dir, 'no-such-dir', 'x.mp4');
    const writer = createVideoWriter({ output: out, width: W, height: H, fps: 10, frameCount: 1 });
    const written = await writer.write(solid(0, 0, 0)).then(() => null, (e: unknown) => e);
    const finished = await writer.finish().then(() => null, (e: unknown) => e);
    expect(written ?? finished).toBeInstanceOf(Error);
    expect(await exists(partialPath(out))).toBe(false);
  });
});

describe('runFfmpeg', () => {
  it('times out, and passes stdin', async () => {
    await expect(runFfmpeg(['-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=duration=30', '-f', 'null', '-'], { timeoutMs: 300 }))
      .rejects.toThrow(/timed out after 300 ms/);
    const { stdout } = await runFfmpeg(['-v', 'error', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '2x2', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'],
      { stdin: Buffer.from([1, 2, 3, 4]) });
    expect([...stdout]).toEqual([1, 2, 3, 4]);
  });

  it('ffmpeg failing is an FfmpegError with the tail of stderr', async () => {
    const err = await runFfmpeg(['-v', 'error', '-i', file('nothing.mp4'), '-f', 'null', '-']).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as FfmpegError).exitCode).not.toBe(0);
    expect((err as Error).message).toContain('No such file');
  });
});
