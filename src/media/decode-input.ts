/**
 * The `image` / `video` request strings: an http(s) URL, a data URI or raw base64. classifyInputField does the
 * cheap part (which form; URL checks) on the caller's thread; decodeBase64 (whitespace, size from the length
 * before anything is decoded, alphabet, decode) is what the API runs in a worker thread.
 */
import { AppError } from '../domain/errors.js';
import { fileTooLargeError, MAX_INPUT_BYTES } from './limits.js';

export type MediaField = 'image' | 'video';
export type InputSource = { kind: 'url'; url: string } | { kind: 'bytes'; bytes: Buffer };
/** An input before any base64 is looked at: `payload` is the base64 text, `what` names its form in messages. */
export type EncodedInput = { kind: 'url'; url: string } | { kind: 'base64'; payload: string; what: string };

export const MAX_URL_LENGTH = 8192;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
const DATA_URI = /^data:([^,;]*)((?:;[^,;]*)*),/i;

function badBody(field: MediaField, message: string): AppError {
  return new AppError('INVALID_REQUEST_BODY', message, { field });
}

function expectedForms(field: MediaField): string {
  return `an http(s) URL, a data:${field}/...;base64, URI or base64 data`;
}

/** Bytes that `b64` (whitespace already removed) decodes to, from its length alone. */
export function base64DecodedLength(b64: string): number {
  let padding = 0;
  if (b64.endsWith('==')) padding = 2;
  else if (b64.endsWith('=')) padding = 1;
  const chars = b64.length - padding;
  return Math.floor((chars * 3) / 4);
}

function parseUrl(field: MediaField, value: string): { kind: 'url'; url: string } {
  if (value.length > MAX_URL_LENGTH) {
    throw new AppError('INVALID_REQUEST_BODY', `${field} URL is ${value.length} characters long; the limit is ${MAX_URL_LENGTH}`,
      { field, limit: MAX_URL_LENGTH, actual: value.length, unit: 'characters' });
  }
  let url: URL;
  try { url = new URL(value); } catch { throw badBody(field, `${field} is not a valid URL`); }
  if (url.hostname === '') throw badBody(field, `${field} URL has no host`);
  if (url.username !== '' || url.password !== '') throw badBody(field, `${field} URL must not contain a user name or password`);
  return { kind: 'url', url: url.toString() };
}

/** The bytes of `payload` (standard or URL-safe base64, whitespace allowed), or the AppError that says what is wrong. */
export function decodeBase64(field: MediaField, payload: string, what: string): Buffer {
  const b64 = /\s/.test(payload) ? payload.replace(/\s+/g, '') : payload;
  if (b64.length === 0) throw badBody(field, `${field} is empty; send ${expectedForms(field)}`);
  // Refuse before decoding: a huge string never becomes a huge Buffer.
  const size = base64DecodedLength(b64);
  if (size > MAX_INPUT_BYTES) throw fileTooLargeError(field, size, 'would decode to');
  const urlSafe = !BASE64.test(b64);
  if ((urlSafe && !BASE64URL.test(b64)) || b64.length % 4 === 1) {
    throw badBody(field, `${field} is not valid ${what}; send ${expectedForms(field)}`);
  }
  const bytes = Buffer.from(b64, urlSafe ? 'base64url' : 'base64');
  if (bytes.length === 0) throw badBody(field, `${field} is empty; send ${expectedForms(field)}`);
  return bytes;
}

/** Which form the field has, without decoding (cheap: only the first characters of a base64 value are read). */
export function classifyInputField(field: MediaField, value: string): EncodedInput {
  const trimmed = value.trim();
  if (trimmed.length === 0) throw badBody(field, `${field} is empty; send ${expectedForms(field)}`);
  const scheme = SCHEME.exec(trimmed.slice(0, 32))?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return parseUrl(field, trimmed);
  if (scheme === 'data') {
    const m = DATA_URI.exec(trimmed.slice(0, 256));
    if (!m) throw badBody(field, `${field} is a malformed data URI; expected data:${field}/<type>;base64,<data>`);
    const mime = m[1].trim().toLowerCase();
    const params = m[2].toLowerCase().split(';').map((p) => p.trim());
    if (!mime.startsWith(`${field}/`)) {
      throw badBody(field, `${field} data URI has type "${mime || '(none)'}"; it must be data:${field}/...;base64,`);
    }
    if (!params.includes('base64')) throw badBody(field, `${field} data URI must be base64-encoded (data:${mime};base64,...)`);
    return { kind: 'base64', payload: trimmed.slice(m[0].length), what: 'base64 in its data URI' };
  }
  if (scheme !== undefined) {
    throw badBody(field, `${field} uses the unsupported scheme "${scheme}:"; send ${expectedForms(field)}`);
  }
  return { kind: 'base64', payload: trimmed, what: 'base64' };
}

/** classifyInputField and, for base64, decodeBase64, on this thread. */
export function parseInputField(field: MediaField, value: string): InputSource {
  const input = classifyInputField(field, value);
  return input.kind === 'url' ? input : { kind: 'bytes', bytes: decodeBase64(field, input.payload, input.what) };
}
