// IPv4 and IPv6 addresses and CIDR blocks for IpAddress / NotIpAddress
// (policy-spec §5). Blocks are parsed once on compile; request addresses are
// parsed per evaluation into a reused scratch buffer, so matching allocates
// nothing. A bare address is a /32 (IPv4) or /128 (IPv6) block, and the two
// families never match each other, so an IPv4-mapped IPv6 address such as
// ::ffff:10.0.0.1 is IPv6 and is not inside 10.0.0.0/8 [spec inference].

export interface Cidr {
  readonly v6: boolean;
  readonly prefix: number;
  /** Network address and mask as big-endian 32-bit words (IPv4 uses word 0 only). */
  readonly network: readonly [number, number, number, number];
  readonly mask: readonly [number, number, number, number];
}

const DOT = 46;
const COLON = 58;

function decimalAt(code: number): number {
  return code >= 48 && code <= 57 ? code - 48 : -1;
}

function hexAt(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** Dotted quad in text[start, end) as an unsigned 32-bit number, or -1. No leading zeros (octal ambiguity). */
function parseV4(text: string, start: number, end: number): number {
  let value = 0;
  let octets = 0;
  let i = start;
  while (octets < 4) {
    let octet = 0;
    let digits = 0;
    const first = i;
    for (; i < end; i++) {
      const d = decimalAt(text.charCodeAt(i));
      if (d < 0) break;
      octet = octet * 10 + d;
      if (++digits > 3) return -1;
    }
    if (digits === 0 || octet > 255 || (digits > 1 && text.charCodeAt(first) === 48)) return -1;
    value = value * 256 + octet;
    octets++;
    if (octets < 4) {
      if (i >= end || text.charCodeAt(i) !== DOT) return -1;
      i++;
    }
  }
  return i === end ? value : -1;
}

const groups = new Uint16Array(8);

/** Fills `groups` from an IPv6 address in text[0, end); false when malformed. Zone ids are rejected. */
function parseV6(text: string, end: number): boolean {
  let count = 0;
  let gap = -1;
  let i = 0;
  if (end >= 2 && text.charCodeAt(0) === COLON) {
    if (text.charCodeAt(1) !== COLON) return false;
    gap = 0;
    i = 2;
  }
  while (i < end) {
    if (count === 8) return false;
    const start = i;
    let value = 0;
    for (; i < end; i++) {
      const h = hexAt(text.charCodeAt(i));
      if (h < 0) break;
      value = value * 16 + h;
      if (i - start >= 4) return false;
    }
    if (i < end && text.charCodeAt(i) === DOT) {
      // Embedded IPv4 in the last 32 bits, e.g. ::ffff:10.0.0.1.
      const v4 = count <= 6 ? parseV4(text, start, end) : -1;
      if (v4 < 0) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (i === start) return false;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) === COLON) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0) return count === 8;
  if (count === 8) return false;
  const tail = count - gap;
  for (let k = 1; k <= tail; k++) groups[8 - k] = groups[count - k] ?? 0;
  groups.fill(0, gap, 8 - tail);
  return true;
}

/** Parses text[0, end) into `out` (4 words); returns 4 or 6 for the family, 0 when malformed. */
function parseAddress(text: string, end: number, out: Uint32Array): 0 | 4 | 6 {
  // Dotted quads are by far the most common request value, so they are tried first.
  const v4 = parseV4(text, 0, end);
  if (v4 >= 0) {
    out[0] = v4;
    return 4;
  }
  if (!parseV6(text, end)) return 0;
  for (let w = 0; w < 4; w++) out[w] = (((groups[2 * w] ?? 0) << 16) | (groups[2 * w + 1] ?? 0)) >>> 0;
  return 6;
}

function maskWord(prefix: number, word: number): number {
  const bits = Math.min(32, Math.max(0, prefix - 32 * word));
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

/** "10.0.0.0/8", "2001:db8::/32", or a bare address; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const end = slash === -1 ? text.length : slash;
  const words = new Uint32Array(4);
  const family = parseAddress(text, end, words);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    if (!/^(?:0|[1-9]\d{0,2})$/.test(digits)) return undefined;
    prefix = Number(digits);
    if (prefix > max) return undefined;
  }
  const mask = [0, 1, 2, 3].map((w) => (family === 4 && w > 0 ? 0 : maskWord(prefix, w)));
  // Host bits in the block (10.1.2.3/8) are ignored: the block is its network.
  const network = [0, 1, 2, 3].map((w) => ((words[w] ?? 0) & (mask[w] ?? 0)) >>> 0);
  const [n0 = 0, n1 = 0, n2 = 0, n3 = 0] = network;
  const [m0 = 0, m1 = 0, m2 = 0, m3 = 0] = mask;
  return { v6: family === 6, prefix, network: [n0, n1, n2, n3], mask: [m0, m1, m2, m3] };
}

const scratch = new Uint32Array(4);

function inside(block: Cidr, words: number): boolean {
  for (let w = 0; w < words; w++) {
    if ((((scratch[w] ?? 0) ^ (block.network[w] ?? 0)) & (block.mask[w] ?? 0)) !== 0) return false;
  }
  return true;
}

/** True when `address` is a valid IP inside any block of its own family; never allocates. */
export function addressInAny(address: string, blocks: readonly Cidr[]): boolean {
  // Parsing the whole string rejects blocks such as "10.0.0.1/8": a request value is one address.
  const family = parseAddress(address, address.length, scratch);
  if (family === 0) return false;
  const v6 = family === 6;
  const words = v6 ? 4 : 1;
  for (const block of blocks) if (block.v6 === v6 && inside(block, words)) return true;
  return false;
}
