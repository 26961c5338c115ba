/**
 * Pure argv builders for ffmpeg/ffprobe. Inputs and outputs are prefixed with `file:` so a path can
 * never be taken for an option, a URL or another protocol.
 */

export function fileArg(path: string): string {
  return `file:${path}`;
}

export function probeArgs(path: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', '-i', fileArg(path)];
}

/**
 * fps as an exact rational where it is a known broadcast rate (30000/1001…), so frame times do not
 * drift over a clip; otherwise to the millisecond.
 */
export function fpsRational(fps: number): string {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RangeError(`fps must be a positive number, got ${fps}`);
  for (const base of [24, 30, 60, 120]) {
    const ntsc = (base * 1000) / 1001;
    if (Math.abs(fps - ntsc) < 1e-3) return `${base * 1000}/1001`;
  }
  if (Math.abs(fps - Math.round(fps)) < 1e-3) return String(Math.round(fps));
  return `${Math.round(fps * 1000)}/1000`;
}

/**
 * Raw frames at a constant `fps` on stdout. The fps filter puts VFR and high-rate input on one
 * frame grid (same frames every run); passthrough then keeps exactly what the filter emits.
 * Display-matrix rotation is applied by ffmpeg's autorotate before the filters.
 */
export function decodeVideoArgs(o: {
  input: string; width: number; height: number; fps: number; pixFmt: 'rgb24' | 'rgba'; durationS?: number;
  /** Keep frames 0, n, 2n, … of the `fps` grid (exact decimation: a lower fps filter rate picks other frames). */
  everyNth?: number;
}): string[] {
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-i', fileArg(o.input), '-map', '0:v:0'];
  if (o.durationS !== undefined) args.push('-t', o.durationS.toFixed(6));
  const nth = o.everyNth !== undefined && o.everyNth > 1 ? `,select=not(mod(n\\,${Math.round(o.everyNth)}))` : '';
  args.push(
    '-vf', `fps=${fpsRational(o.fps)}${nth},scale=${o.width}:${o.height}:flags=bicubic`,
    '-fps_mode', 'passthrough',
    '-pix_fmt', o.pixFmt, '-f', 'rawvideo', 'pipe:1',
  );
  return args;
}

/** Filters that turn a stored image into its display orientation (EXIF 1..8). */
export function orientationFilters(orientation: number): string[] {
  switch (orientation) {
    case 2: return ['hflip'];
    case 3: return ['hflip', 'vflip'];
    case 4: return ['vflip'];
    case 5: return ['transpose=0']; // transpose across the main diagonal
    case 6: return ['transpose=1']; // rotate 90° clockwise
    case 7: return ['transpose=3']; // transverse
    case 8: return ['transpose=2']; // rotate 90° counter-clockwise
    default: return [];
  }
}

/**
 * One RGBA frame on stdout. image2pipe probes the codec from the bytes (the name may lie), and
 * never treats '%' in a name as a sequence pattern. ffmpeg 5.1 would itself rotate some EXIF JPEGs:
 * -noautorotate turns that off so the orientation is applied once, here, for JPEG and PNG alike.
 */
export function decodeImageArgs(o: { input: string; width?: number; height?: number; orientation: number }): string[] {
  const filters = orientationFilters(o.orientation);
  if (o.width !== undefined && o.height !== undefined) filters.push(`scale=${o.width}:${o.height}:flags=bicubic`);
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-noautorotate', '-f', 'image2pipe', '-i', fileArg(o.input),
    '-frames:v', '1'];
  if (filters.length > 0) args.push('-vf', filters.join(','));
  args.push('-pix_fmt', 'rgba', '-f', 'rawvideo', 'pipe:1');
  return args;
}

/**
 * RGB → YUV with the BT.709 matrix, and the stream tagged so: untagged, swscale's default BT.601
 * matrix is read back as BT.709 by browsers playing HD video, and every colour shifts (a cyan sky
 * by 5 levels on average, skin towards green).
 */
const BT709_FILTERS = ['scale=out_color_matrix=bt709:out_range=tv', 'format=yuv420p'];
const BT709_TAGS = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'];

/**
 * Raw rgb24 frames on stdin → H.264 yuv420p MP4 (BT.709, tagged) with the moov atom first. Audio, when given, is the
 * first audio track of `audioFrom` if it has one (`?`), re-encoded to AAC for browsers. The length is
 * set explicitly from frameCount/fps rather than with -shortest, which can drop trailing frames.
 */
export function encodeVideoArgs(o: { output: string; width: number; height: number; fps: number; frameCount: number;
  audioFrom?: string; crf?: number; preset?: string }): string[] {
  const args = ['-hide_banner', '-v', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.width}x${o.height}`, '-framerate', fpsRational(o.fps), '-i', 'pipe:0'];
  if (o.audioFrom !== undefined) args.push('-i', fileArg(o.audioFrom));
  args.push('-map', '0:v:0');
  if (o.audioFrom !== undefined) args.push('-map', '1:a:0?');
  // yuv420p needs even sides: drop the odd last row/column rather than fail.
  const crop = o.width % 2 !== 0 || o.height % 2 !== 0 ? ['crop=trunc(iw/2)*2:trunc(ih/2)*2:0:0'] : [];
  args.push('-vf', [...crop, ...BT709_FILTERS].join(','));
  args.push('-c:v', 'libx264', '-preset', o.preset ?? 'veryfast', '-crf', String(o.crf ?? 20), '-pix_fmt', 'yuv420p', ...BT709_TAGS);
  if (o.audioFrom !== undefined) args.push('-c:a', 'aac', '-b:a', '128k');
  args.push('-t', (o.frameCount / o.fps).toFixed(6), '-movflags', '+faststart', '-f', 'mp4', fileArg(o.output));
  return args;
}

/** One raw frame on stdin → a PNG file (debug output). */
export function pngArgs(o: { output: string; width: number; height: number; pixFmt: 'rgb24' | 'rgba' | 'gray' }): string[] {
  return ['-hide_banner', '-v', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', o.pixFmt, '-s', `${o.width}x${o.height}`, '-i', 'pipe:0',
    '-frames:v', '1', '-c:v', 'png', '-f', 'image2', '-update', '1', fileArg(o.output)];
}

/** Decodes the first picture of an input, scaled to 16x16 grey, to stdout: no bytes out means nothing decodes (pure). */
export function firstPictureArgs(input: string): string[] {
  return ['-hide_banner', '-nostdin', '-v', 'error', '-i', fileArg(input), '-map', '0:v:0', '-frames:v', '1', '-vf', 'scale=16:16', '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'];
}
