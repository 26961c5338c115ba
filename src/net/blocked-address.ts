/**
 * Which IP addresses a server-side fetch must never reach (SSRF guard). Pure.
 * Unparseable input counts as blocked.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** [first octets, prefix length, what it is] */
type V4Range = [number[], number, string];

const V4_BLOCKED: V4Range[] = [
  [[0], 8, 'unspecified'],
  [[10], 8, 'private'],
  [[100, 64], 10, 'shared (CGNAT)'],
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'link-local'],
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'IETF protocol assignments'],
  [[192, 0, 2], 24, 'documentation'],
  [[192, 88, 99], 24, '6to4 relay'],
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'benchmarking'],
  [[198, 51, 100], 24, 'documentation'],
  [[203, 0, 113], 24, 'documentation'],
  [[224], 4, 'multicast'],
  [[240], 4, 'reserved or broadcast'],
];

export function parseIPv4(ip: string): number[] | null {
  if (!isIPv4(ip)) return null;
  return ip.split('.').map(Number);
}

function inPrefix(bytes: number[], prefix: number[], bits: number): boolean {
  let remaining = bits;
  for (let i = 0; remaining > 0; i++, remaining -= 8) {
    const take = Math.min(8, remaining);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

function classifyV4(bytes: number[]): string | null {
  for (const [prefix, bits, kind] of V4_BLOCKED) if (inPrefix(bytes, prefix, bits)) return kind;
  return null;
}

/** 16 bytes of an IPv6 address (zone id dropped, embedded dotted IPv4 tail understood). */
export function parseIPv6(input: string): number[] | null {
  const ip = input.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!isIPv6(ip)) return null;
  let text = ip;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = parseIPv4(v4[1]);
    if (!b) return null;
    tail.push(b[0] * 256 + b[1], b[2] * 256 + b[3]);
    text = text.slice(0, -v4[1].length);
    if (!text.endsWith('::')) text = text.slice(0, -1); // drop the ':' before the dotted tail
  }
  const [headText, tailText] = text.includes('::') ? text.split('::') : [text, undefined];
  const toGroups = (s: string | undefined): number[] => (s ? s.split(':').filter((g) => g !== '').map((g) => parseInt(g, 16)) : []);
  const head = toGroups(headText);
  const rest = [...toGroups(tailText), ...tail];
  const fill = 8 - head.length - rest.length;
  if (fill < 0 || (tailText === undefined && fill !== 0)) return null;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...rest];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

function classifyV6(b: number[]): string | null {
  const zeroUntil = (n: number): boolean => b.slice(0, n).every((x) => x === 0);
  if (zeroUntil(16)) return 'unspecified';
  if (zeroUntil(15) && b[15] === 1) return 'loopback';
  // IPv4-mapped ::ffff:a.b.c.d — judge the embedded IPv4 address.
  if (zeroUntil(10) && b[10] === 0xff && b[11] === 0xff) return classifyV4(b.slice(12));
  // Deprecated IPv4-compatible ::a.b.c.d.
  if (zeroUntil(12)) return 'IPv4-compatible';
  // NAT64 64:ff9b::/96 reaches the embedded IPv4 address.
  if (inPrefix(b, [0x00, 0x64, 0xff, 0x9b], 96)) return classifyV4(b.slice(12));
  // 6to4 2002::/16 embeds an IPv4 address in bytes 2..5.
  if (b[0] === 0x20 && b[1] === 0x02) return classifyV4(b.slice(2, 6));
  if (inPrefix(b, [0x20, 0x01, 0x00, 0x00], 32)) return 'Teredo';
  if (inPrefix(b, [0x20, 0x01, 0x0d, 0xb8], 32)) return 'documentation';
  if (inPrefix(b, [0x01, 0x00], 64)) return 'discard';
  if (inPrefix(b, [0xfc], 7)) return 'unique local';
  if (inPrefix(b, [0xfe, 0x80], 10)) return 'link-local';
  if (inPrefix(b, [0xfe, 0xc0], 10)) return 'site-local';
  if (b[0] === 0xff) return 'multicast';
  return null;
}

/** What kind of non-public address `ip` is ("loopback", "private"…), or null when it is public. */
export function blockedAddressKind(ip: string): string | null {
  const v4 = parseIPv4(ip);
  if (v4) return classifyV4(v4);
  const v6 = parseIPv6(ip);
  if (v6) return classifyV6(v6);
  return 'not an IP address';
}

export function isBlockedAddress(ip: string): boolean {
  return blockedAddressKind(ip) !== null;
}
