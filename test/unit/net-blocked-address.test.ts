import { describe, expect, it } from 'vitest';
import { blockedAddressKind, isBlockedAddress, parseIPv6 } from '../../src/net/blocked-address.js';

describe('isBlockedAddress: IPv4', () => {
  it.each([
    ['0.0.0.0', 'unspecified'], ['0.255.1.2', 'unspecified'],
    ['10.0.0.1', 'private'], ['10.255.255.255', 'private'],
    ['100.64.0.0', 'shared (CGNAT)'], ['100.127.255.255', 'shared (CGNAT)'],
    ['127.0.0.1', 'loopback'], ['127.255.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.1', 'private'], ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['224.0.0.1', 'multicast'], ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved or broadcast'], ['255.255.255.255', 'reserved or broadcast'],
    ['192.0.2.7', 'documentation'], ['198.18.0.1', 'benchmarking'],
  ])('%s is blocked (%s)', (ip, kind) => {
    expect(isBlockedAddress(ip)).toBe(true);
    expect(blockedAddressKind(ip)).toBe(kind);
  });

  it.each(['8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255',
    '192.169.0.0', '169.253.255.255', '223.255.255.255', '11.0.0.1', '126.255.255.255', '128.0.0.1'])('%s is public', (ip) => {
    expect(isBlockedAddress(ip)).toBe(false);
  });
});

describe('isBlockedAddress: IPv6', () => {
  it.each([
    ['::', 'unspecified'], ['::1', 'loopback'], ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'unique local'], ['fd12:3456::1', 'unique local'],
    ['ff02::1', 'multicast'], ['ff0e::101', 'multicast'],
    ['::ffff:127.0.0.1', 'loopback'], ['::ffff:7f00:1', 'loopback'], ['::ffff:10.1.2.3', 'private'],
    ['::ffff:169.254.169.254', 'link-local'], ['::ffff:0.0.0.0', 'unspecified'],
    ['64:ff9b::10.0.0.1', 'private'], ['2002:c0a8:0101::1', 'private'],
    ['::127.0.0.1', 'IPv4-compatible'], ['2001:db8::1', 'documentation'], ['fec0::1', 'site-local'],
  ])('%s is blocked (%s)', (ip, kind) => {
    expect(isBlockedAddress(ip)).toBe(true);
    expect(blockedAddressKind(ip)).toBe(kind);
  });

  it.each(['2606:4700:4700::1111', '2001:4860:4860::8888', '::ffff:8.8.8.8', '64:ff9b::808:808', '2002:0808:0808::1', '2a00:1450::1'])(
    '%s is public', (ip) => {
      expect(isBlockedAddress(ip)).toBe(false);
    });

  it('treats anything that is not an IP address as blocked', () => {
    for (const s of ['', 'localhost', '1.2.3', '1.2.3.256', ':::', 'g::1', '1:2:3:4:5:6:7:8:9']) expect(isBlockedAddress(s)).toBe(true);
  });

  it('parses compressed forms and dotted tails to 16 bytes', () => {
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIPv6('1:2:3:4:5:6:7:8')).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(parseIPv6('[2001:db8::]')).toEqual([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(12).fill(0)]);
    expect(parseIPv6('1.2.3.4')).toBeNull();
  });
});
