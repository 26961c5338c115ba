import { describe, expect, it } from 'vitest';
import { walkTopLevelBoxes } from '../../src/media/isobmff.js';

function box(type: string, payload: number, sizeField?: number): Buffer {
  const b = Buffer.alloc(8 + payload);
  b.writeUInt32BE(sizeField ?? 8 + payload, 0);
  b.write(type, 4, 'latin1');
  return b;
}
function largeBox(type: string, payload: number): Buffer {
  const b = Buffer.alloc(16 + payload);
  b.writeUInt32BE(1, 0);
  b.write(type, 4, 'latin1');
  b.writeBigUInt64BE(BigInt(16 + payload), 8);
  return b;
}
const walk = (file: Buffer): ReturnType<typeof walkTopLevelBoxes> =>
  walkTopLevelBoxes(async (offset) => file.subarray(offset, offset + 16), file.length);

describe('walkTopLevelBoxes', () => {
  it('lists the boxes of a whole file, including 64-bit and to-the-end sizes', async () => {
    const file = Buffer.concat([box('ftyp', 16), box('moov', 100), largeBox('mdat', 50), box('free', 4, 0)]);
    expect(await walk(file)).toEqual({
      boxes: [{ type: 'ftyp', offset: 0, size: 24 }, { type: 'moov', offset: 24, size: 108 }, { type: 'mdat', offset: 132, size: 66 },
        { type: 'free', offset: 198, size: 12 }],
      truncated: null,
    });
  });

  it('finds the box a truncation cut short', async () => {
    const whole = Buffer.concat([box('ftyp', 16), box('moov', 100), box('mdat', 1000)]);
    expect((await walk(whole.subarray(0, 600))).truncated).toEqual({ type: 'mdat', offset: 132, size: 1008 });
    expect((await walk(whole.subarray(0, 130))).truncated?.type).toBe('moov');
    // Four stray bytes after the last box are not a box.
    expect((await walk(Buffer.concat([whole, Buffer.from([0, 0, 0, 9])]))).truncated).toMatchObject({ offset: whole.length });
  });

  it('treats a size below 8 as broken', async () => {
    expect((await walk(Buffer.concat([box('ftyp', 16), box('moov', 0, 4)]))).truncated).toEqual({ type: 'moov', offset: 24, size: 4 });
  });
});
