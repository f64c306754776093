import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ValidationError } from '../http/index.ts';

// Webhook URLs are chosen by tenants and fetched by the service from inside its network, so they are
// a server-side request forgery (SSRF) vector: without these rules a tenant could make Gatehouse POST
// to a cloud metadata endpoint (169.254.169.254), a database on localhost or an internal admin page.
// The URL is checked at registration and again at every delivery (DNS answers change).

export const MAX_WEBHOOK_URL_LENGTH = 2048;

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address a connection might use. */
export type AddressLookup = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface WebhookUrlPolicy {
  /** WEBHOOK_ALLOW_INSECURE: http:// and private addresses allowed (development and tests only). */
  allowInsecure: boolean;
  /** Tests may answer for DNS; the default asks the system resolver, as the HTTP client will. */
  lookup?: AddressLookup;
  dnsTimeoutMs?: number;
}

// getaddrinfo, like the connection itself: it honours /etc/hosts (`localhost`) as fetch does.
const systemLookup: AddressLookup = (hostname) => lookup(hostname, { all: true, verbatim: true });

interface Range {
  bytes: readonly number[];
  bits: number;
  label: string;
}

const v4 = (cidr: string, label: string): Range => {
  const [address = '', bits = '32'] = cidr.split('/');
  return { bytes: address.split('.').map(Number), bits: Number(bits), label };
};

// Special-purpose IPv4 blocks (IANA registry, RFC 6890) that are not public destinations.
const IPV4_REFUSED: readonly Range[] = [
  v4('0.0.0.0/8', 'an unspecified ("this network") address'), // RFC 1122 §3.2.1.3
  v4('10.0.0.0/8', 'a private address'), // RFC 1918
  v4('100.64.0.0/10', 'a shared (carrier-grade NAT) address'), // RFC 6598
  v4('127.0.0.0/8', 'a loopback address'), // RFC 1122
  v4('169.254.0.0/16', 'a link-local address'), // RFC 3927: cloud metadata services live here
  v4('172.16.0.0/12', 'a private address'), // RFC 1918
  v4('192.0.0.0/24', 'an IETF protocol address'), // RFC 6890
  v4('192.0.2.0/24', 'a documentation address'), // RFC 5737
  v4('192.88.99.0/24', 'a 6to4 relay address'), // RFC 7526
  v4('192.168.0.0/16', 'a private address'), // RFC 1918
  v4('198.18.0.0/15', 'a benchmarking address'), // RFC 2544
  v4('198.51.100.0/24', 'a documentation address'), // RFC 5737
  v4('203.0.113.0/24', 'a documentation address'), // RFC 5737
  v4('224.0.0.0/4', 'a multicast address'), // RFC 5771
  v4('240.0.0.0/4', 'a reserved or broadcast address'), // RFC 1112 §4, RFC 919
];

const v6 = (prefix: number[], bits: number, label: string): Range => ({ bytes: prefix, bits, label });

// Inside global unicast (2000::/3, RFC 4291 §2.4) these are still not public destinations.
const IPV6_REFUSED: readonly Range[] = [
  v6([0x20, 0x01, 0x0d, 0xb8], 32, 'a documentation address'), // RFC 3849
  v6([0x20, 0x01, 0x00], 23, 'an IETF protocol address (Teredo, ORCHID…)'), // RFC 2928, RFC 4380
  v6([0x3f, 0xff], 20, 'a documentation address'), // RFC 9637
];

function inRange(bytes: readonly number[], range: Range): boolean {
  for (let bit = 0; bit < range.bits; bit += 8) {
    const take = Math.min(8, range.bits - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    if (((bytes[bit / 8] ?? 0) & mask) !== ((range.bytes[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

function ipv4Refusal(bytes: readonly number[]): string | undefined {
  return IPV4_REFUSED.find((range) => inRange(bytes, range))?.label;
}

/** The 16 bytes of an IPv6 address (`::` compression and a dotted IPv4 tail allowed), or undefined. */
export function ipv6Bytes(address: string): number[] | undefined {
  // A zone index (`fe80::1%eth0`, RFC 4007 §11) names an interface, not part of the address.
  let text = address.toLowerCase().replace(/%.*$/, '');
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    if (isIP(last) !== 4) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
    tail = [(a << 8) | b, (c << 8) | d];
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves[1] ? halves[1].split(':') : [];
  const explicit = head.length + rest.length + tail.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return undefined;
  if (![...head, ...rest].every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  const hex = (group: string) => Number.parseInt(group, 16);
  const words = [...head.map(hex), ...new Array<number>(8 - explicit).fill(0), ...rest.map(hex), ...tail];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

const MAPPED = v6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff], 96, 'IPv4-mapped'); // RFC 4291 §2.5.5.2
const NAT64 = v6([0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0], 96, 'NAT64'); // RFC 6052
const SIX_TO_FOUR = v6([0x20, 0x02], 16, '6to4'); // RFC 3056
const GLOBAL_UNICAST = v6([0x20], 3, 'global unicast'); // RFC 4291 §2.4
const IPV6_LOCAL: readonly Range[] = [
  v6([0xfe, 0x80], 10, 'a link-local address'), // RFC 4291 §2.5.6
  v6([0xfc], 7, 'a unique-local address'), // RFC 4193
  v6([0xff], 8, 'a multicast address'), // RFC 4291 §2.7
];

function ipv6Refusal(bytes: readonly number[]): string | undefined {
  // These forms reach the IPv4 address they embed, so that address decides.
  if (inRange(bytes, MAPPED) || inRange(bytes, NAT64)) return ipv4Refusal(bytes.slice(12, 16));
  if (inRange(bytes, SIX_TO_FOUR)) return ipv4Refusal(bytes.slice(2, 6));
  if (bytes.every((b) => b === 0)) return 'an unspecified address'; // RFC 4291 §2.5.2
  if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return 'a loopback address'; // §2.5.3
  const local = IPV6_LOCAL.find((range) => inRange(bytes, range));
  if (local) return local.label;
  // Everything else outside global unicast is reserved, deprecated (site-local, IPv4-compatible) or
  // special (discard-only 100::/64, local-use NAT64 64:ff9b:1::/48): refused as a whole.
  if (!inRange(bytes, GLOBAL_UNICAST)) return 'a reserved address';
  return IPV6_REFUSED.find((range) => inRange(bytes, range))?.label;
}

/** Why this IP address is not a public destination (e.g. "a loopback address"), or undefined if it is. */
export function addressRefusal(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return ipv4Refusal(address.split('.').map(Number));
  if (family === 6) {
    const bytes = ipv6Bytes(address);
    return bytes ? ipv6Refusal(bytes) : 'an unreadable address';
  }
  return 'not an IP address';
}

/** The URL if its form is acceptable, else why not. No network access. */
export function parseWebhookUrl(raw: string, allowInsecure: boolean): URL | string {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) return `is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'is not an absolute URL';
  }
  const schemes = allowInsecure ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) return allowInsecure ? 'must be http or https' : 'must use https';
  // Credentials would be sent to the endpoint and shown to every reader of the webhook (RFC 9110 §4.2.4).
  if (url.username || url.password) return 'must not contain credentials';
  // A fragment is never sent in a request (RFC 9110 §4.2.5); one here is a mistake.
  if (raw.includes('#')) return 'must not contain a fragment';
  if (!url.hostname) return 'has no host';
  if (url.href.length > MAX_WEBHOOK_URL_LENGTH) return `is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`;
  return url;
}

/** IPv6 literals come bracketed from URL.hostname. */
const bareHost = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

async function resolveWithin(hostname: string, resolve: AddressLookup, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([resolve(hostname), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Why this URL may not receive webhooks, or undefined when it may. The host, whether a literal or a
 * name, must be a public address; a name is resolved and every address it resolves to is checked, as
 * the connection may use any of them.
 */
export async function webhookUrlRefusal(raw: string, policy: WebhookUrlPolicy): Promise<string | undefined> {
  const parsed = parseWebhookUrl(raw, policy.allowInsecure);
  if (typeof parsed === 'string') return parsed;
  if (policy.allowInsecure) return undefined;
  const host = bareHost(parsed.hostname);
  if (isIP(host)) {
    const why = addressRefusal(host);
    return why && `points to ${why}`;
  }
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await resolveWithin(host, policy.lookup ?? systemLookup, policy.dnsTimeoutMs ?? 5000);
  } catch {
    return 'has a host name that does not resolve';
  }
  if (addresses.length === 0) return 'has a host name that does not resolve';
  for (const { address } of addresses) {
    const why = addressRefusal(address);
    if (why) return `has a host name that resolves to ${why}`;
  }
  return undefined;
}

/** The URL in its normalised form, or a 422 `IAM_ERR_WEBHOOK_URL_REFUSED` naming the field. */
export async function assertWebhookUrl(
  raw: string,
  policy: WebhookUrlPolicy,
  pointer = '/url',
): Promise<string> {
  const why = await webhookUrlRefusal(raw, policy);
  if (why) {
    throw new ValidationError(
      [{ pointer, message: why, in: 'body' }],
      `The webhook URL ${why}.`,
      'IAM_ERR_WEBHOOK_URL_REFUSED',
    );
  }
  return (parseWebhookUrl(raw, policy.allowInsecure) as URL).href;
}
