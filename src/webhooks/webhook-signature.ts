import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Webhook deliveries are signed so a receiver can tell them from forgeries and replays:
//   Gatehouse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The timestamp is inside the signed text, so an attacker who captured one delivery cannot replay it
// later with a fresh `t`; receivers refuse timestamps outside a tolerance window. HMAC is RFC 2104
// with SHA-256 (FIPS 180-4); the key is the secret string exactly as shown (UTF-8), so receivers
// need no decoding step.

export const SIGNATURE_HEADER = 'Gatehouse-Signature';
export const EVENT_ID_HEADER = 'Gatehouse-Event-Id';
export const EVENT_TYPE_HEADER = 'Gatehouse-Event-Type';
export const USER_AGENT = 'Gatehouse-Webhooks/1';

/** How far a signature's timestamp may be from the receiver's clock, by default (seconds). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const SECRET_PREFIX = 'whsec_';

/** A new endpoint secret: 256 random bits, base64url, with a prefix that makes leaked ones easy to spot. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/** The associated data that binds a sealed secret to its endpoint row, so it cannot be moved to another. */
export function webhookSecretAad(tenantId: string, webhookId: string): string {
  return `webhook:${tenantId}:${webhookId}`;
}

function hmacHex(secret: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/** The `Gatehouse-Signature` header value for this body at this time. */
export function signWebhook(secret: string, body: string | Buffer, timestampSeconds: number): string {
  const t = Math.floor(timestampSeconds);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

interface ParsedSignature {
  timestamp: number;
  signatures: string[];
}

/**
 * Reads `t=…,v1=…[,v1=…]`. Several `v1` entries are allowed (one per secret, should an endpoint
 * ever be signed with two during a rotation); unknown schemes are ignored so new ones can be added.
 */
function parseSignatureHeader(header: string): ParsedSignature | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return undefined;
      timestamp = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value)) {
      signatures.push(value);
    }
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/**
 * Whether `header` is a valid signature of the raw `body` under `secret`, made within
 * `toleranceSeconds` of `nowSeconds`. Compare against the body bytes exactly as received: parsing and
 * re-serialising the JSON changes them. The comparison is constant-time.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | null | undefined,
  body: string | Buffer,
  nowSeconds: number,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  const parsed = parseSignatureHeader(header);
  if (!parsed || Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, body), 'hex');
  let valid = false;
  for (const candidate of parsed.signatures) {
    // Every candidate is compared (no early exit), so timing does not tell which one matched.
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) valid = true;
  }
  return valid;
}
