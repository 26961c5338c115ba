import { describe, expect, it } from 'vitest';
import { ifRangeMatches, parseRange } from '../../src/api/range.js';

describe('parseRange', () => {
  it.each([
    [undefined, { kind: 'whole' }],
    ['bytes=0-99', { kind: 'partial', start: 0, end: 99 }],
    ['bytes=100-', { kind: 'partial', start: 100, end: 999 }],
    ['bytes=-100', { kind: 'partial', start: 900, end: 999 }],
    ['bytes=-5000', { kind: 'partial', start: 0, end: 999 }],
    ['bytes=990-5000', { kind: 'partial', start: 990, end: 999 }],
    ['bytes=999-999', { kind: 'partial', start: 999, end: 999 }],
    ['bytes=1000-', { kind: 'unsatisfiable' }],
    ['bytes=50-10', { kind: 'whole' }],
    ['bytes=-0', { kind: 'unsatisfiable' }],
    ['bytes=abc', { kind: 'whole' }],
    ['items=0-1', { kind: 'whole' }],
    ['bytes=5000-6000', { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-9', { kind: 'whole' }],
  ])('%j on 1000 bytes', (header, expected) => {
    expect(parseRange(header, 1000)).toEqual(expected);
  });
});

describe('ifRangeMatches', () => {
  const lm = 'Tue, 01 Dec 2026 21:00:00 GMT';
  it('applies the range only for the exact Last-Modified date', () => {
    expect(ifRangeMatches(undefined, lm)).toBe(true);
    expect(ifRangeMatches(lm, lm)).toBe(true);
    expect(ifRangeMatches('Tue, 01 Dec 2026 20:59:59 GMT', lm)).toBe(false);
    expect(ifRangeMatches('"some-etag"', lm)).toBe(false);
    expect(ifRangeMatches('W/"weak"', lm)).toBe(false);
  });
});
