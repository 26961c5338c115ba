/**
 * The Range header for a single byte range, per RFC 9110 §14 (pure). A header this server cannot use (another unit,
 * bad syntax, several ranges) is ignored: the whole file, 200. Only a well-formed range wholly past the end is 416.
 */

export type RangeRequest =
  | { kind: 'whole' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const m = /^\s*bytes\s*=\s*(.+)$/i.exec(header);
  if (!m) return { kind: 'whole' };
  const specs = m[1].split(',').map((s) => s.trim());
  if (specs.length > 1) return { kind: 'whole' };
  const r = /^(\d*)-(\d*)$/.exec(specs[0]);
  if (!r || (r[1] === '' && r[2] === '')) return { kind: 'whole' };
  if (r[1] === '') {
    // Suffix: the last N bytes.
    const n = Number(r[2]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(r[1]);
  if (r[2] !== '' && Number(r[2]) < start) return { kind: 'whole' }; // last < first: invalid, ignored
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = r[2] === '' ? size - 1 : Math.min(Number(r[2]), size - 1);
  return { kind: 'partial', start, end };
}

/**
 * If-Range (RFC 9110 §13.1.5): the range applies only when the validator matches exactly. This server sends
 * Last-Modified and no ETag, so only that HTTP-date, to the second, matches (pure).
 */
export function ifRangeMatches(ifRange: string | undefined, lastModified: string): boolean {
  if (ifRange === undefined) return true;
  const v = ifRange.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return false;
  return v === lastModified;
}
