import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562 §5.7): a millisecond timestamp followed by random bits, so new rows sort by
 * creation time and keyset pagination by id follows insertion order. Within one millisecond the
 * 12-bit `rand_a` field is a counter (RFC 9562 §6.2, method 1), so ids made in the same millisecond
 * by this process still sort in the order they were made.
 */
let lastMs = -1;
let counter = 0;

export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  if (now === lastMs && counter < 0xfff) {
    counter++;
  } else {
    lastMs = now;
    // Start low in the field so that many ids fit in the rest of the millisecond.
    counter = (bytes[6] ?? 0) & 0x07;
  }
  const ms = BigInt(now);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids arrive in URLs; a malformed one is simply not found, and never reaches PostgreSQL's uuid cast. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/**
 * An id from a request in its stored (lowercase) form, or undefined when it is not a UUID: such an
 * id names nothing, and must never reach PostgreSQL's uuid cast.
 */
export function canonicalId(raw: string): string | undefined {
  const id = raw.toLowerCase();
  return isUuid(id) ? id : undefined;
}
