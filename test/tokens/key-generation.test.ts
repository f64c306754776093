import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { calculateJwkThumbprint } from 'jose';
import { generateSigningKey, jwkThumbprint, SIGNING_ALGORITHMS } from '../../src/tokens/key-generation.ts';

describe('signing key generation', () => {
  test('the JWK thumbprint of RFC 7638 §3.1’s example key is the RFC’s', () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    assert.equal(jwkThumbprint(jwk), 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  for (const alg of SIGNING_ALGORITHMS) {
    test(`${alg}: the kid is the key's thumbprint as jose computes it; the JWK holds no private part`, async () => {
      const key = generateSigningKey(alg);
      const { kid: _kid, alg: _alg, use, ...jwk } = key.publicJwk;
      assert.equal(key.kid, await calculateJwkThumbprint(jwk));
      assert.equal(use, 'sig');
      assert.equal('d' in key.publicJwk, false);
    });
  }

  test('a key type without a thumbprint definition is refused', () => {
    assert.throws(() => jwkThumbprint({ kty: 'oct', k: 'AAAA' }), /no thumbprint/);
  });
});
