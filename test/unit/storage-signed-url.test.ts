import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidKey } from '../../src/storage/object-storage.js';
import { signedObjectUrl, signPath, verifySignedPath } from '../../src/storage/signed-url.js';

const SECRET = 's'.repeat(40);

describe('signed result URLs', () => {
  it('signs path and expiry with HMAC-SHA256 (independently recomputed)', () => {
    const q = new URLSearchParams(signPath(SECRET, '/v1/files/abc.mp4', 1_800_000_000));
    const expected = createHmac('sha256', SECRET).update('/v1/files/abc.mp4\n1800000000').digest('base64url');
    expect(q.get('expires')).toBe('1800000000');
    expect(q.get('sig')).toBe(expected);
  });

  it('accepts a fresh URL, refuses an expired or tampered one', () => {
    const now = 1_700_000_000_000;
    const url = new URL(signedObjectUrl('https://m.example.com', SECRET, 'abc.mp4', now, 3600));
    expect(url.origin + url.pathname).toBe('https://m.example.com/v1/files/abc.mp4');
    const exp = url.searchParams.get('expires')!;
    const sig = url.searchParams.get('sig')!;
    expect(Number(exp)).toBe(now / 1000 + 3600);
    expect(verifySignedPath(SECRET, url.pathname, exp, sig, now)).toBe('ok');
    expect(verifySignedPath(SECRET, url.pathname, exp, sig, now + 3600_000)).toBe('expired');
    expect(verifySignedPath(SECRET, '/v1/files/abd.mp4', exp, sig, now)).toBe('invalid');
    expect(verifySignedPath(SECRET, url.pathname, String(Number(exp) + 1), sig, now)).toBe('invalid');
    expect(verifySignedPath('t'.repeat(40), url.pathname, exp, sig, now)).toBe('invalid');
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(verifySignedPath(SECRET, url.pathname, exp, flipped, now)).toBe('invalid');
    expect(verifySignedPath(SECRET, url.pathname, undefined, sig, now)).toBe('invalid');
    expect(verifySignedPath(SECRET, url.pathname, exp, undefined, now)).toBe('invalid');
    expect(verifySignedPath(SECRET, url.pathname, '-5', sig, now)).toBe('invalid');
  });

  it('an expired URL with a wrong signature is reported as invalid, not expired', () => {
    const q = new URLSearchParams(signPath(SECRET, '/v1/files/a.mp4', 100));
    expect(verifySignedPath(SECRET, '/v1/files/a.mp4', '100', q.get('sig')!, 200_000)).toBe('expired');
    expect(verifySignedPath(SECRET, '/v1/files/b.mp4', '100', q.get('sig')!, 200_000)).toBe('invalid');
  });

  it('storage keys are plain names, never paths', () => {
    expect(isValidKey('AbC_-123.mp4')).toBe(true);
    for (const k of ['../x.mp4', 'a/b.mp4', 'x', '.mp4', 'a.mp4/', 'a..mp4', '']) expect(isValidKey(k)).toBe(false);
  });
});
