/** Contact-sheet layout: pairs of tiles (driving | output) in rows under a title bar (pure; unit-tested). */

export interface TileSize { width: number; height: number }
export interface Placement { x: number; y: number; width: number; height: number }
export interface SheetLayout {
  width: number;
  height: number;
  /** Per instant: where its driving tile and its output tile go. */
  pairs: { driving: Placement; output: Placement }[];
}

export const TITLE_HEIGHT = 30;
export const GAP = 10;

/** Frame indices of `fractions` of the way through `frames` frames (0 = first, 1 = last), in order. */
export function instantsOf(frames: number, fractions: number[]): number[] {
  const last = Math.max(0, frames - 1);
  return [...new Set(fractions.map((f) => Math.min(last, Math.max(0, Math.round(f * last)))))].sort((a, b) => a - b);
}

/** As many pairs per row as fit in `maxWidth` (at least one), rows stacked under the title. */
export function layoutSheet(count: number, driving: TileSize, output: TileSize, maxWidth = 1800): SheetLayout {
  const pairWidth = driving.width + output.width;
  const perRow = Math.max(1, Math.min(count, Math.floor((maxWidth + GAP) / (pairWidth + GAP))));
  const rowHeight = Math.max(driving.height, output.height);
  const rows = Math.ceil(count / perRow);
  const pairs = Array.from({ length: count }, (_, i) => {
    const x = (i % perRow) * (pairWidth + GAP);
    const y = TITLE_HEIGHT + Math.floor(i / perRow) * (rowHeight + GAP);
    return { driving: { x, y, ...driving }, output: { x: x + driving.width, y, ...output } };
  });
  return { width: perRow * pairWidth + (perRow - 1) * GAP, height: TITLE_HEIGHT + rows * rowHeight + (rows - 1) * GAP, pairs };
}

/** Copies an RGB tile into an RGB canvas at `at` (clipped to the canvas). */
export function pasteRgb(canvas: Uint8Array, canvasWidth: number, tile: Uint8Array, at: Placement): void {
  const canvasHeight = canvas.length / (3 * canvasWidth);
  for (let y = 0; y < at.height && at.y + y < canvasHeight; y++) {
    const w = Math.min(at.width, canvasWidth - at.x);
    if (w <= 0) return;
    canvas.set(tile.subarray(y * at.width * 3, (y * at.width + w) * 3), ((at.y + y) * canvasWidth + at.x) * 3);
  }
}

/**
 * Label text made safe for drawtext inside a filter graph: the characters its layered escaping
 * gives meaning to (quote, colon, comma, backslash, percent, brackets, semicolon) become plain ones.
 */
export function drawtextSafe(text: string): string {
  return text.replace(/'/g, '\u2019').replace(/[:;,[\]\\]/g, ' ').replace(/%/g, ' pct');
}

/** ffmpeg argv: one raw RGB sheet on stdin, its labels drawn, written as a JPEG. */
export function sheetJpegArgs(o: { output: string; width: number; height: number; labels: { text: string; x: number; y: number; size: number }[]; quality?: number }): string[] {
  const filters = o.labels.map((l) =>
    `drawtext=font=DejaVu Sans:text='${drawtextSafe(l.text)}':x=${l.x}:y=${l.y}:fontsize=${l.size}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=4`);
  return ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${o.width}x${o.height}`, '-i', 'pipe:0',
    ...(filters.length ? ['-vf', filters.join(',')] : []), '-frames:v', '1', '-q:v', String(o.quality ?? 5), `file:${o.output}`];
}
