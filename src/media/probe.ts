/** Pure parser of `ffprobe -print_format json -show_format -show_streams` output. */

export interface ProbeVideoStream {
  index: number;
  codecName: string;
  pixFmt: string;
  /** Stored size, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Display size: rotation of 90/270 swaps the stored sides. */
  width: number;
  height: number;
  /** Display-matrix rotation in ffmpeg's convention (counter-clockwise degrees), normalised to 0, 90, 180 or 270. */
  rotation: number;
  fps: number;
  durationS: number;
  frameCount: number;
}

export interface ProbeResult {
  formatName: string;
  formatDurationS: number;
  sizeBytes: number;
  /** `major_brand` tag of an ISO BMFF file ('' when absent). */
  majorBrand: string;
  streamCount: number;
  /** The first video stream that is not a cover picture, or null when there is none. */
  video: ProbeVideoStream | null;
  hasAudio: boolean;
  audioCodec: string;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function num(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? v : NaN;
  if (typeof v === 'string' && v.trim() !== '') return Number(v);
  return NaN;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** "30000/1001" → 29.97; "0/0" or junk → NaN. */
export function parseRate(v: unknown): number {
  const s = str(v);
  const m = /^(\d+(?:\.\d+)?)(?:\/(\d+(?:\.\d+)?))?$/.exec(s);
  if (!m) return NaN;
  const den = m[2] === undefined ? 1 : Number(m[2]);
  const value = Number(m[1]) / den;
  return den > 0 && value > 0 && Number.isFinite(value) ? value : NaN;
}

/**
 * r_frame_rate is the lowest rate that represents all timestamps; for variable-rate phone clips
 * it can say 60 (or 90000) while frames really come at ~30: prefer avg_frame_rate when they disagree.
 */
export function chooseFps(rFrameRate: number, avgFrameRate: number): number {
  const r = Number.isFinite(rFrameRate) ? rFrameRate : NaN;
  const avg = Number.isFinite(avgFrameRate) ? avgFrameRate : NaN;
  if (Number.isNaN(r)) return avg;
  if (Number.isNaN(avg)) return r > 240 ? NaN : r;
  return Math.abs(r - avg) / avg > 0.02 ? avg : r;
}

export function normaliseRotation(degrees: number): number {
  if (!Number.isFinite(degrees)) return 0;
  return (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
}

/** Side-data display matrix rotation (counter-clockwise), else the legacy `rotate` tag (clockwise). */
function streamRotation(s: Json): number {
  const sideData = Array.isArray(s.side_data_list) ? s.side_data_list : [];
  for (const sd of sideData) {
    if (isObject(sd) && sd.rotation !== undefined && !Number.isNaN(num(sd.rotation))) return normaliseRotation(num(sd.rotation));
  }
  const tags = isObject(s.tags) ? s.tags : {};
  const rotateTag = num(tags.rotate);
  return Number.isNaN(rotateTag) ? 0 : normaliseRotation(-rotateTag);
}

function parseVideoStream(s: Json, formatDurationS: number): ProbeVideoStream {
  const codedWidth = num(s.width);
  const codedHeight = num(s.height);
  const rotation = streamRotation(s);
  const swap = rotation === 90 || rotation === 270;
  const fps = chooseFps(parseRate(s.r_frame_rate), parseRate(s.avg_frame_rate));
  const streamDuration = num(s.duration);
  const durationS = streamDuration > 0 ? streamDuration : formatDurationS;
  const nbFrames = num(s.nb_frames);
  const frameCount = nbFrames > 0 ? Math.round(nbFrames) : Math.round(durationS * fps);
  return {
    index: num(s.index), codecName: str(s.codec_name), pixFmt: str(s.pix_fmt),
    codedWidth, codedHeight, width: swap ? codedHeight : codedWidth, height: swap ? codedWidth : codedHeight,
    rotation, fps, durationS, frameCount,
  };
}

export function parseProbe(json: unknown): ProbeResult {
  const root = isObject(json) ? json : {};
  const format = isObject(root.format) ? root.format : {};
  const streams = (Array.isArray(root.streams) ? root.streams : []).filter(isObject);
  const formatDurationS = num(format.duration);
  const videoStream = streams.find((s) => s.codec_type === 'video'
    && !(isObject(s.disposition) && s.disposition.attached_pic === 1));
  const audioStream = streams.find((s) => s.codec_type === 'audio');
  const tags = isObject(format.tags) ? format.tags : {};
  return {
    formatName: str(format.format_name),
    formatDurationS,
    sizeBytes: num(format.size),
    majorBrand: str(tags.major_brand).trim(),
    streamCount: streams.length,
    video: videoStream ? parseVideoStream(videoStream, formatDurationS) : null,
    hasAudio: audioStream !== undefined,
    audioCodec: audioStream ? str(audioStream.codec_name) : '',
  };
}
