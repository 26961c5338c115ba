import { describe, expect, it } from 'vitest';
import { drawtextSafe, GAP, instantsOf, layoutSheet, pasteRgb, sheetJpegArgs, TITLE_HEIGHT } from '../../bench/sheet-layout.js';

describe('bench contact-sheet layout', () => {
  it('picks frame indices at fractions of the clip, first and last included, without repeats', () => {
    expect(instantsOf(101, [0, 0.25, 0.5, 1])).toEqual([0, 25, 50, 100]);
    expect(instantsOf(3, [0.1, 0.12, 0.9])).toEqual([0, 2]);
    expect(instantsOf(10, [1.5, -1])).toEqual([0, 9]);
  });
  it('puts driving | output pairs side by side, as many per row as fit', () => {
    const portrait = layoutSheet(4, { width: 180, height: 320 }, { width: 180, height: 320 }, 1800);
    expect(portrait.pairs.map((p) => p.driving.x)).toEqual([0, 370, 740, 1110]);
    expect(portrait.pairs.every((p) => p.output.x === p.driving.x + 180 && p.output.y === TITLE_HEIGHT)).toBe(true);
    expect([portrait.width, portrait.height]).toEqual([4 * 360 + 3 * GAP, TITLE_HEIGHT + 320]);
    const wide = layoutSheet(4, { width: 356, height: 200 }, { width: 356, height: 200 }, 1800);
    expect(wide.pairs.map((p) => [p.driving.x, p.driving.y])).toEqual([[0, 30], [722, 30], [0, 240], [722, 240]]);
    expect([wide.width, wide.height]).toEqual([2 * 712 + GAP, TITLE_HEIGHT + 2 * 200 + GAP]);
    expect(layoutSheet(2, { width: 1000, height: 100 }, { width: 1000, height: 100 }, 1800).pairs[1].driving).toMatchObject({ x: 0, y: 140 });
  });
  it('pastes a tile at its place, clipped to the canvas', () => {
    const canvas = new Uint8Array(4 * 3 * 3);
    pasteRgb(canvas, 4, new Uint8Array(2 * 2 * 3).fill(9), { x: 3, y: 2, width: 2, height: 2 });
    const painted = [...canvas.keys()].filter((i) => canvas[i] === 9).map((i) => Math.floor(i / 3));
    expect([...new Set(painted)]).toEqual([2 * 4 + 3]);
  });
  it('makes labels safe for the filter graph and builds the JPEG argv', () => {
    expect(drawtextSafe("it's 50% a:b, [c];d\\e")).toBe('it\u2019s 50 pct a b   c  d e');
    const args = sheetJpegArgs({ output: '/tmp/s.jpg', width: 8, height: 6, labels: [{ text: 't 1.00 s', x: 1, y: 2, size: 12 }] });
    expect(args.slice(args.indexOf('-s'), args.indexOf('-s') + 2)).toEqual(['-s', '8x6']);
    expect(args[args.indexOf('-vf') + 1]).toContain("text='t 1.00 s':x=1:y=2:fontsize=12");
    expect(args.at(-1)).toBe('file:/tmp/s.jpg');
  });
});
