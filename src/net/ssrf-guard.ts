/**
 * The SSRF guard, shared by input fetching and webhooks: a host's addresses are resolved and checked here
 * (loopback, private, link-local, multicast and unspecified ranges are refused unless the host is allowed),
 * and the connection is pinned to the checked address.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { AppError } from '../domain/errors.js';
import { blockedAddressKind } from './blocked-address.js';

function fetchFailed(field: string, message: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('INPUT_FETCH_FAILED', message, { field, ...extra });
}

/** URL host as a bare name or address ("[::1]" → "::1"), lower-case. */
export function bareHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

export function isAllowedHost(hostname: string, allowHosts: readonly string[]): boolean {
  const host = bareHost(hostname);
  return allowHosts.some((h) => bareHost(h) === host);
}

/**
 * The address to connect to for `hostname`: the first one that is public (IPv4 preferred), or any
 * when the host is in allowHosts. Throws INPUT_FETCH_FAILED when lookup fails or every address is blocked.
 */
export async function resolveSafeAddress(hostname: string, allowHosts: readonly string[], field = 'url'): Promise<{ address: string; family: 4 | 6 }> {
  const host = bareHost(hostname);
  const allowed = isAllowedHost(host, allowHosts);
  let candidates: { address: string; family: number }[];
  if (isIP(host) !== 0) {
    candidates = [{ address: host, family: isIP(host) }];
  } else {
    try {
      candidates = await dnsLookup(host, { all: true, verbatim: true });
    } catch (err) {
      throw fetchFailed(field, `${field} URL host "${host}" could not be resolved (${(err as NodeJS.ErrnoException).code ?? 'lookup failed'})`);
    }
  }
  const usable = allowed ? candidates : candidates.filter((c) => blockedAddressKind(c.address) === null);
  const pick = usable.find((c) => c.family === 4) ?? usable[0];
  if (!pick) {
    const first = candidates[0];
    const kind = first ? blockedAddressKind(first.address) : null;
    const where = !first ? '' : first.address === host ? `${field} URL address ${host} is a` : `${field} URL host "${host}" resolves to ${first.address}, a`;
    throw fetchFailed(field, first
      ? `${where} ${kind ?? 'blocked'} address; only public addresses are fetched`
      : `${field} URL host "${host}" has no address`, { actual: first?.address ?? host });
  }
  return { address: pick.address, family: pick.family === 6 ? 6 : 4 };
}

/**
 * A net lookup that answers only checked addresses; for http.request({ lookup }).
 * Node never calls `lookup` for a URL whose host is an IP literal: check such URLs with
 * resolveSafeAddress first, or use pinnedSafeLookup, which covers both.
 */
export function safeLookup(allowHosts: readonly string[]): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    resolveSafeAddress(hostname, allowHosts).then(
      ({ address, family }) => {
        if (options.all) callback(null, [{ address, family }]);
        else callback(null, address, family);
      },
      (err: unknown) => callback(err),
    );
  }) as LookupFunction;
}

/**
 * Checks `hostname` now (IP literals included) and returns a lookup pinned to the checked address,
 * so the connection goes exactly where the check said. Throws INPUT_FETCH_FAILED when refused.
 */
export async function pinnedSafeLookup(hostname: string, allowHosts: readonly string[], field = 'url'): Promise<LookupFunction> {
  const { address, family } = await resolveSafeAddress(hostname, allowHosts, field);
  return pinnedLookup(address, family);
}

/** A lookup that always returns the address checked beforehand. */
export function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as LookupFunction;
}
