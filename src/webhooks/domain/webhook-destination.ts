import { BlockList, isIP } from 'node:net';

/**
 * Addresses a webhook must not reach unless private destinations are allowed: loopback, private,
 * shared (CGNAT), link-local, unique-local, multicast, reserved and unspecified ranges, v4 and v6
 * (IPv4-mapped IPv6 addresses are checked against the v4 ranges).
 */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

export type DestinationProblem = 'not_a_url' | 'not_http' | 'has_credentials' | 'private_address';

/** Checks what can be checked without DNS; a hostname is resolved and checked at each use. */
export function destinationProblem(
  raw: string,
  allowPrivate: boolean,
): DestinationProblem | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'not_a_url';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'not_http';
  if (url.username || url.password) return 'has_credentials';
  const host = hostOf(url);
  if (allowPrivate) return undefined;
  if (isIP(host) !== 0) return isPublicAddress(host) ? undefined : 'private_address';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'private_address';
  return undefined;
}

/** The hostname without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}
