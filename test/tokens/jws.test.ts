import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { decodeJws, signJws, verifyJws } from '../../src/tokens/jws.ts';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const pairs: Record<string, { publicKey: KeyObject; privateKey: KeyObject }> = {
  EdDSA: generateKeyPairSync('ed25519'),
  ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
};
const payload = { sub: 'someone', n: 1, nested: { ok: true } };
const verified = (token: string, alg: string, key: KeyObject) => {
  const jws = decodeJws(token);
  return jws !== undefined && verifyJws(jws, alg, key);
};

describe('compact JWS (RFC 7515)', () => {
  for (const [alg, { publicKey, privateKey }] of Object.entries(pairs)) {
    test(`${alg}: what is signed here verifies with jose, and what jose signs verifies here`, async () => {
      const token = signJws({ alg, kid: 'k1', typ: 'at+jwt' }, payload, privateKey);
      const theirs = await compactVerify(token, publicKey, { algorithms: [alg] });
      assert.deepEqual(JSON.parse(new TextDecoder().decode(theirs.payload)), payload);
      assert.deepEqual(theirs.protectedHeader, { alg, kid: 'k1', typ: 'at+jwt' });

      const joseKey = await importJWK(privateKey.export({ format: 'jwk' }) as never, alg);
      const signedByJose = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg })
        .sign(joseKey);
      assert.equal(verified(signedByJose, alg, publicKey), true);
      assert.deepEqual(decodeJws(signedByJose)?.payload, payload);
    });
  }

  test('a signature under another key, or a changed payload, does not verify', () => {
    const token = signJws({ alg: 'EdDSA' }, payload, pairs.EdDSA!.privateKey);
    assert.equal(verified(token, 'EdDSA', generateKeyPairSync('ed25519').publicKey), false);
    const [h, , s] = token.split('.');
    assert.equal(
      verified(`${h}.${b64({ ...payload, sub: 'admin' })}.${s}`, 'EdDSA', pairs.EdDSA!.publicKey),
      false,
    );
  });

  test('the header must name exactly the key’s algorithm: no none, no HMAC with a public key', () => {
    const { publicKey, privateKey } = pairs.EdDSA!;
    const body = b64(payload);
    assert.equal(verified(`${b64({ alg: 'none' })}.${body}.`, 'EdDSA', publicKey), false);
    assert.equal(verified(`${b64({ alg: 'none' })}.${body}.AAAA`, 'EdDSA', publicKey), false);
    const es = signJws({ alg: 'ES256' }, payload, pairs.ES256!.privateKey);
    assert.equal(verified(es, 'EdDSA', publicKey), false);
    assert.equal(verified(es, 'ES256', publicKey), false);
    const token = signJws({ alg: 'EdDSA' }, payload, privateKey);
    assert.equal(verified(token, 'HS256', publicKey), false);
    const [, p, s] = token.split('.');
    assert.equal(verified(`${b64({ alg: 'HS256' })}.${p}.${s}`, 'EdDSA', publicKey), false);
    assert.throws(() => signJws({ alg: 'HS256' }, payload, privateKey), /unsupported/);
  });

  test('critical extensions are refused, none being understood', () => {
    const { publicKey, privateKey } = pairs.EdDSA!;
    const token = signJws({ alg: 'EdDSA', crit: ['exp'], exp: 1 }, payload, privateKey);
    assert.equal(verified(token, 'EdDSA', publicKey), false);
  });

  test('malformed tokens are not decoded', () => {
    const token = signJws({ alg: 'EdDSA' }, payload, pairs.EdDSA!.privateKey);
    const [h, p, s] = token.split('.') as [string, string, string];
    for (const bad of [
      '',
      'a.b',
      `${h}.${p}`,
      `${h}.${p}.${s}.x`,
      `${h}.${p}.${s}=`,
      `${h}=.${p}.${s}`,
      `${h}.${p}+.${s}`,
      `${h}.${b64([1, 2])}.${s}`,
      `${h}.${b64('text')}.${s}`,
      `${h}.${b64(null)}.${s}`,
      `${Buffer.from('{not json').toString('base64url')}.${p}.${s}`,
      `${h}.${p}.${s.slice(0, 20)}`,
    ])
      assert.equal(verified(bad, 'EdDSA', pairs.EdDSA!.publicKey), false, bad);
    assert.equal(decodeJws(`${h}.${b64([1])}.${s}`), undefined);
  });
});
