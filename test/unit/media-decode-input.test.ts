import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/domain/errors.js';
import { base64DecodedLength, parseInputField } from '../../src/media/decode-input.js';
import { MAX_INPUT_BYTES } from '../../src/media/limits.js';

function caught(fn: () => unknown): AppError {
  try { fn(); } catch (err) { if (err instanceof AppError) return err; throw err; }
  throw new Error('expected an AppError');
}

const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0xff, 0xfe, 0x00]);

describe('parseInputField', () => {
  it('keeps http(s) URLs as URLs, case-insensitively in the scheme', () => {
    expect(parseInputField('image', 'https://example.com/a.png')).toEqual({ kind: 'url', url: 'https://example.com/a.png' });
    expect(parseInputField('video', '  HTTP://Example.com/v.mp4?x=1 ')).toEqual({ kind: 'url', url: 'http://example.com/v.mp4?x=1' });
  });

  it('refuses other schemes and malformed URLs naming the field', () => {
    for (const value of ['ftp://example.com/a.png', 'file:///etc/passwd', 'javascript:alert(1)', 'gopher://x']) {
      expect(caught(() => parseInputField('image', value))).toMatchObject({ reason: 'INVALID_REQUEST_BODY', metadata: { field: 'image' } });
    }
    expect(caught(() => parseInputField('video', 'http://')).metadata).toEqual({ field: 'video' });
    expect(caught(() => parseInputField('video', 'http://user:pw@example.com/v.mp4')).message).toContain('user name or password');
  });

  it('decodes raw base64 (with line breaks) and data URIs of the matching type', () => {
    const b64 = bytes.toString('base64');
    expect(parseInputField('image', b64)).toEqual({ kind: 'bytes', bytes });
    expect(parseInputField('image', `${b64.slice(0, 5)}\n${b64.slice(5)}`)).toEqual({ kind: 'bytes', bytes });
    expect(parseInputField('image', `data:image/png;base64,${b64}`)).toEqual({ kind: 'bytes', bytes });
    expect(parseInputField('video', `data:video/mp4;base64,${b64}`)).toEqual({ kind: 'bytes', bytes });
    expect(parseInputField('video', `DATA:Video/QuickTime;name=a.mov;BASE64,${b64}`)).toEqual({ kind: 'bytes', bytes });
    expect(parseInputField('image', bytes.toString('base64url'))).toEqual({ kind: 'bytes', bytes });
  });

  it('refuses data URIs of the wrong type or without base64', () => {
    const b64 = bytes.toString('base64');
    expect(caught(() => parseInputField('image', `data:video/mp4;base64,${b64}`)).message).toBe('image data URI has type "video/mp4"; it must be data:image/...;base64,');
    expect(caught(() => parseInputField('video', `data:image/png;base64,${b64}`)).metadata).toEqual({ field: 'video' });
    expect(caught(() => parseInputField('image', 'data:image/png,rawbytes')).reason).toBe('INVALID_REQUEST_BODY');
    expect(caught(() => parseInputField('image', 'data:image/png;base64')).reason).toBe('INVALID_REQUEST_BODY');
  });

  it('refuses invalid base64 and empty values as INVALID_REQUEST_BODY naming the field', () => {
    for (const value of ['', '   ', 'not base64!', 'abcde', 'ab=c', 'data:image/png;base64,', '@@@@']) {
      expect(caught(() => parseInputField('video', value))).toMatchObject({ reason: 'INVALID_REQUEST_BODY', metadata: { field: 'video' } });
    }
  });

  it('checks the decoded size from the base64 length, before decoding', () => {
    expect(base64DecodedLength('AAAA')).toBe(3);
    expect(base64DecodedLength('AAA=')).toBe(2);
    expect(base64DecodedLength('AA==')).toBe(1);
    expect(base64DecodedLength('AAA')).toBe(2); // unpadded
    // 10 MiB = 3495253 whole groups of 3 bytes + 1 byte ("AA==").
    const groups = 'A'.repeat(Math.floor(MAX_INPUT_BYTES / 3) * 4);
    const tenMiB = `${groups}AA==`;
    expect(base64DecodedLength(tenMiB)).toBe(MAX_INPUT_BYTES);
    expect((parseInputField('image', tenMiB) as { bytes: Buffer }).bytes.length).toBe(MAX_INPUT_BYTES);
    const over = `${groups}AAA=`;
    expect(base64DecodedLength(over)).toBe(MAX_INPUT_BYTES + 1);
    // One byte over, with characters that would fail decoding: the size error comes first.
    const overGarbage = `${'!'.repeat(Math.floor(MAX_INPUT_BYTES / 3) * 4)}AAA=`;
    expect(caught(() => parseInputField('image', overGarbage))).toMatchObject({
      reason: 'IMAGE_FILE_EXCEEDS_MAX_SIZE', metadata: { field: 'image', limit: MAX_INPUT_BYTES, actual: MAX_INPUT_BYTES + 1, unit: 'bytes' } });
    expect(caught(() => parseInputField('video', `data:video/mp4;base64,${over}`))).toMatchObject({
      reason: 'VIDEO_FILE_EXCEEDS_MAX_SIZE', metadata: { field: 'video', actual: MAX_INPUT_BYTES + 1 } });
  });
});
