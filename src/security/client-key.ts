import { isIP } from 'node:net';

/**
 * The part of a client address that rate limits count by. `request.ip` is already the real client:
 * Fastify takes `X-Forwarded-For` only from TRUSTED_PROXIES (src/http/trusted-proxies.ts).
 *
 * IPv6 clients count by their /64, because one host usually holds a whole /64 and could otherwise
 * start afresh with every address in it; IPv4-mapped addresses count as the IPv4 address.
 */
export function clientKey(ip: string): string {
  const mapped = ip.toLowerCase().startsWith('::ffff:') ? ip.slice(7) : '';
  if (mapped && isIP(mapped) === 4) return mapped;
  const address = ip.split('%')[0] ?? ip;
  if (isIP(address) !== 6) return ip;
  return `${ipv6Groups(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded, without leading zeros. */
function ipv6Groups(address: string): string[] {
  // An embedded IPv4 tail (`::1.2.3.4`) stands for the last two groups.
  const split = (part: string) =>
    part === '' ? [] : part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g]));
  const [head = '', tail] = address.split('::');
  const start = split(head);
  const end = tail === undefined ? [] : split(tail);
  const zeros = Array.from({ length: 8 - start.length - end.length }, () => '0');
  return [...start, ...zeros, ...end].map((g) => Number.parseInt(g, 16).toString(16));
}
