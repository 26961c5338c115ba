/** Result URLs that work without an API key until they expire: HMAC-SHA256 over path and expiry. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type SignedPathCheck = 'ok' | 'invalid' | 'expired';

function mac(secret: string, pathname: string, expiresS: number): Buffer {
  return createHmac('sha256', secret).update(`${pathname}\n${expiresS}`).digest();
}

/** `?expires=<unix s>&sig=<base64url>` to append to `pathname`. */
export function signPath(secret: string, pathname: string, expiresS: number): string {
  return `expires=${expiresS}&sig=${mac(secret, pathname, expiresS).toString('base64url')}`;
}

export function verifySignedPath(secret: string, pathname: string, expires: string | undefined, sig: string | undefined, nowMs: number): SignedPathCheck {
  if (!expires || !sig || !/^\d{1,12}$/.test(expires) || !/^[A-Za-z0-9_-]{43}$/.test(sig)) return 'invalid';
  const expiresS = Number(expires);
  const given = Buffer.from(sig, 'base64url');
  const expected = mac(secret, pathname, expiresS);
  // The signature is checked before the time, so a forged URL never learns whether it "would have" expired.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
  return nowMs >= expiresS * 1000 ? 'expired' : 'ok';
}

export const FILES_PREFIX = '/v1/files/';

/** Absolute URL of a stored object, valid for ttlS seconds from nowMs. */
export function signedObjectUrl(publicUrl: string, secret: string, key: string, nowMs: number, ttlS: number): string {
  const pathname = `${FILES_PREFIX}${key}`;
  return `${publicUrl}${pathname}?${signPath(secret, pathname, Math.floor(nowMs / 1000) + ttlS)}`;
}
