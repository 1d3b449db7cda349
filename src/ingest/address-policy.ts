import { BlockList, isIP } from 'node:net';
import type { ResolveHost } from './dns-lookup.js';

/** Says whether an IP address is private (loopback, RFC 1918, link-local, unique-local, ...). */
export type AddressClassifier = (address: string) => boolean;

const privateRanges = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv4');
}
// ::/96 (IPv4-compatible, :: and ::1 included) and 2002::/16 (6to4) embed an IPv4 address that BlockList
// does not map onto the IPv4 ranges: blocked whole.
for (const [net, prefix] of [['::', 96], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['2001:db8::', 32], ['2002::', 16]] as const) {
  privateRanges.addSubnet(net, prefix, 'ipv6');
}

/** The default classifier: IANA special-purpose and private ranges count as private. */
export const isPrivateAddress: AddressClassifier = (address) => {
  const family = isIP(address);
  if (family === 4) return privateRanges.check(address, 'ipv4');
  if (family === 6) return privateRanges.check(address, 'ipv6');
  return true;
};

/** Error raised when a redirect from a public address leads to a private one. */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
  readonly code = 'EPRIVATEADDRESS';
}

/** Resolves a host name (or takes an IP literal) and says whether every address it has is public. */
export async function isPublicHost(hostname: string, classify: AddressClassifier, resolve: ResolveHost): Promise<boolean> {
  const addresses = await resolve(hostname).catch(() => []);
  return addresses.length > 0 && addresses.every((a) => !classify(a.address));
}
