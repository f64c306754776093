import { type KeyObject, sign, verify } from 'node:crypto';

// JWS Compact Serialization (RFC 7515 §7.1) with node:crypto's own signing: a KeyObject signs in
// one synchronous call, where going through WebCrypto costs several times as much per token.

export type JsonObject = Record<string, unknown>;

/**
 * The digest and signature encoding of each algorithm: Ed25519 hashes internally (RFC 8037 §3.1);
 * ES256 signs SHA-256 as the 64-byte R‖S pair (RFC 7518 §3.4), not DER; RS256 is RSASSA-PKCS1-v1_5
 * with SHA-256 (RFC 7518 §3.3), node's default padding for RSA keys.
 */
function signer(alg: unknown, key: KeyObject) {
  switch (alg) {
    case 'EdDSA':
      return { digest: null, key };
    case 'ES256':
      return { digest: 'sha256', key: { key, dsaEncoding: 'ieee-p1363' as const } };
    case 'RS256':
      return { digest: 'sha256', key };
    default:
      return undefined;
  }
}

const encodeJson = (value: JsonObject) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `payload` under `header` (which names one of the algorithms above) with `key`. */
export function signJws(header: JsonObject & { alg: string }, payload: JsonObject, key: KeyObject): string {
  const s = signer(header.alg, key);
  if (!s) throw new Error(`unsupported JWS algorithm ${header.alg}`);
  const input = `${encodeJson(header)}.${encodeJson(payload)}`;
  return `${input}.${sign(s.digest, Buffer.from(input), s.key).toString('base64url')}`;
}

// RFC 7515 §2: base64url without padding or any other character.
const BASE64URL = /^[A-Za-z0-9_-]+$/;

function decodeJson(part: string): JsonObject | undefined {
  if (!BASE64URL.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as JsonObject)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A compact JWS taken apart, not yet verified. */
export interface DecodedJws {
  header: JsonObject;
  payload: JsonObject;
  /** What the signature covers (RFC 7515 §5.2 step 8), and the signature. */
  signingInput: string;
  signature: Buffer;
}

/** The parts of a compact JWS (to choose the key, then verify); undefined when malformed. */
export function decodeJws(token: string): DecodedJws | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !BASE64URL.test(parts[2] as string)) return undefined;
  const header = decodeJson(parts[0] as string);
  const payload = header && decodeJson(parts[1] as string);
  if (!header || !payload) return undefined;
  return {
    header,
    payload,
    signingInput: `${parts[0]}.${parts[1]}`,
    signature: Buffer.from(parts[2] as string, 'base64url'),
  };
}

/**
 * Whether `jws` was signed with `alg` under `key`. The header must name exactly that algorithm (so no
 * `none`, no HMAC keyed with a public key) and carry no `crit` extensions, none being understood
 * here (RFC 7515 §4.1.11).
 */
export function verifyJws(jws: DecodedJws, alg: string, key: KeyObject): boolean {
  const s = signer(alg, key);
  if (!s || jws.header.alg !== alg || jws.header.crit !== undefined) return false;
  try {
    return verify(s.digest, Buffer.from(jws.signingInput), s.key, jws.signature);
  } catch {
    // A key of another type or a signature of the wrong length.
    return false;
  }
}
