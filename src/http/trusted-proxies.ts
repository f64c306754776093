import { BlockList, isIP } from 'node:net';

/** A matcher for the socket peer addresses that are configured reverse proxies (TRUSTED_PROXIES). */
export function proxyMatcher(entries: readonly string[]): (address: string | undefined) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [ip, bits] = entry.split('/');
    const version = ip ? isIP(ip) : 0;
    const prefix = Number(bits);
    const maxBits = version === 6 ? 128 : 32;
    if (
      !ip ||
      version === 0 ||
      (bits !== undefined && !(Number.isInteger(prefix) && prefix >= 0 && prefix <= maxBits))
    ) {
      throw new Error(`TRUSTED_PROXIES: ${entry} is not an IP address or CIDR`);
    }
    const family = version === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, prefix, family);
  }
  return (address) => {
    if (!address) return false;
    // An IPv4 peer on a dual-stack socket shows as ::ffff:a.b.c.d.
    const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const version = isIP(plain);
    return version !== 0 && list.check(plain, version === 6 ? 'ipv6' : 'ipv4');
  };
}
