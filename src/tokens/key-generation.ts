import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256', 'RS256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

function pairFor(alg: SigningAlgorithm): { publicKey: KeyObject; privateKey: KeyObject } {
  switch (alg) {
    // Ed25519 (RFC 8037): small, fast, deterministic signatures with no nonce to get wrong.
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
    // P-256 (RFC 7518 §3.4) for verifiers without EdDSA support.
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    // RSA 3072 (NIST SP 800-57: 128-bit strength) for the oldest verifiers (RFC 7518 §3.3).
    case 'RS256':
      return generateKeyPairSync('rsa', { modulusLength: 3072 });
  }
}

// RFC 7638 §3.2: the members a thumbprint covers, per key type, in lexicographic order.
const THUMBPRINT_MEMBERS: Record<string, readonly string[]> = {
  OKP: ['crv', 'kty', 'x'],
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
};

/** The RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key. */
export function jwkThumbprint(jwk: JWK): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''];
  if (!members) throw new Error(`no thumbprint for key type ${jwk.kty}`);
  // §3.3: the required members only, as JSON without whitespace, the values being strings.
  const canonical = JSON.stringify(
    Object.fromEntries(members.map((m) => [m, (jwk as Record<string, unknown>)[m]])),
  );
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A new key pair: the public JWK (kid = RFC 7638 thumbprint) and the private key as PKCS#8 DER. */
export function generateSigningKey(alg: SigningAlgorithm): { kid: string; publicJwk: JWK; der: Buffer } {
  const { publicKey, privateKey } = pairFor(alg);
  const jwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = jwkThumbprint(jwk);
  return {
    kid,
    publicJwk: { ...jwk, kid, alg, use: 'sig' },
    der: privateKey.export({ format: 'der', type: 'pkcs8' }),
  };
}
