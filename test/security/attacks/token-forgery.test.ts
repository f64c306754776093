import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { base64url, calculateJwkThumbprint, decodeJwt, type JWK, type JWTPayload, SignJWT } from 'jose';
import { signJws } from '../../../src/tokens/jws.ts';
import { VARIANTS } from '../../support/databases.ts';
import {
  createTenantWithAdmin,
  createUser,
  type TenantFixture,
  type UserFixture,
} from '../../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../../support/test-app.ts';
import { call, tenantSigningKey } from './attack-support.ts';

// Forged access tokens (RFC 8725 "JWT Best Current Practices" §2–3): every forgery below differs
// from a token the service accepts (the positive control, signed with the tenant's own key) in one
// respect, and must be refused with 401 IAM_ERR_UNAUTHENTICATED.

const enc = (o: object) => base64url.encode(JSON.stringify(o));

for (const variant of VARIANTS) {
  describe(`attack: forged access tokens (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    let ann: UserFixture;
    let annToken: string;
    let claims: JWTPayload;
    let realKey: { kid: string; alg: string; privateKey: KeyObject };
    // An attacker's own key pair.
    const attacker = generateKeyPairSync('ed25519');

    before(async () => {
      t = await startTestApp(variant);
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
      ann = await createUser(t, acme.id, { roles: ['user'] });
      annToken = await login(t.app, 'acme', ann.email, ann.password);
      claims = decodeJwt(annToken);
      realKey = await tenantSigningKey(t, acme.id);
    });
    after(() => t.close());

    const me = (token: string, slug = 'acme') => call(t, 'GET', `/t/${slug}/v1/me`, { token });
    const refused = async (token: string, why: string, slug = 'acme') => {
      const res = await me(token, slug);
      assert.equal(res.statusCode, 401, `${why}: ${res.statusCode} ${res.body}`);
      problemOf(res, 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.match(String(res.headers['www-authenticate']), /^Bearer error="invalid_token"/, why);
    };
    /** Signs claims (the real ones, changed) with a key and header of the test's choosing. */
    const sign = (
      key: KeyObject | Uint8Array,
      header: Record<string, unknown>,
      changes: Record<string, unknown> = {},
    ) => {
      const payload = { ...claims, jti: crypto.randomUUID(), ...changes } as JWTPayload;
      return new SignJWT(payload).setProtectedHeader(header as never).sign(key);
    };
    const realHeader = () => ({ alg: realKey.alg, kid: realKey.kid, typ: 'at+jwt' });
    const now = () => Math.floor(Date.now() / 1000);

    test('positive control: the same claims re-signed with the tenant key are accepted', async () => {
      assert.equal((await me(annToken)).statusCode, 200);
      const control = await sign(realKey.privateKey, realHeader());
      assert.equal((await me(control)).statusCode, 200);
    });

    test('alg "none" in any spelling, and a stripped or empty signature, are refused', async () => {
      const [h, p] = annToken.split('.') as [string, string, string];
      for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
        await refused(`${enc({ alg, kid: realKey.kid, typ: 'at+jwt' })}.${p}.`, `alg ${alg}`);
      }
      await refused(`${h}.${p}.`, 'empty signature');
      await refused(`${h}.${p}`, 'two segments');
      await refused(`${h}.${p}.AAAA`, 'short signature');
      await refused(`${h}.${p}.${'A'.repeat(86)}`, 'zero signature of the right length');
    });

    test("HS256 signed with the tenant's public key bytes (algorithm confusion) is refused", async () => {
      const jwks = (await call(t, 'GET', '/t/acme/.well-known/jwks.json')).json().keys as JWK[];
      const jwk = jwks.find((k) => k.kid === realKey.kid)!;
      assert.ok(jwk, 'the active key is published');
      const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
      const secrets: [string, Uint8Array][] = [
        ['raw public key', base64url.decode(jwk.x!)],
        ['base64url x as text', new TextEncoder().encode(jwk.x!)],
        ['JWK JSON', new TextEncoder().encode(JSON.stringify(jwk))],
        ['SPKI PEM', new TextEncoder().encode(publicKey.export({ format: 'pem', type: 'spki' }) as string)],
        ['SPKI DER', new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }))],
      ];
      for (const [name, secret] of secrets) {
        for (const alg of ['HS256', 'HS384', 'HS512']) {
          await refused(
            await sign(secret, { alg, kid: realKey.kid, typ: 'at+jwt' }),
            `${alg} with the ${name}`,
          );
        }
      }
    });

    test('a token signed with an unknown or attacker key is refused, whatever kid it names', async () => {
      await refused(await sign(attacker.privateKey, { ...realHeader(), kid: 'unknown-kid' }), 'unknown kid');
      await refused(await sign(attacker.privateKey, realHeader()), 'the real kid, the wrong key');
      const { kid: _kid, ...noKid } = realHeader();
      await refused(await sign(realKey.privateKey, noKid), 'no kid at all, the right key');
    });

    test('kid injection strings find no key, even on a token the real key signed', async () => {
      const injections = [
        '../../../../../../dev/null',
        '../../etc/passwd',
        `${realKey.kid}/../${realKey.kid}`,
        `../${realKey.kid}`,
        `${realKey.kid}' OR '1'='1`,
        `' OR 1=1 --`,
        `x' UNION SELECT kid, public_jwk FROM signing_keys --`,
        `${realKey.kid}"; DROP TABLE signing_keys; --`,
        `${realKey.kid}\u0000`,
        `${realKey.kid.toUpperCase()}`,
        ` ${realKey.kid}`,
        '*',
        '%',
        '',
      ];
      for (const kid of injections) {
        await refused(await sign(realKey.privateKey, { ...realHeader(), kid }), `kid ${JSON.stringify(kid)}`);
        await refused(await sign(attacker.privateKey, { ...realHeader(), kid }), `attacker, kid ${kid}`);
      }
      // Not a string: number, object, array.
      for (const kid of [1, { $ne: null }, [realKey.kid]]) {
        await refused(await sign(realKey.privateKey, { ...realHeader(), kid }), `kid ${JSON.stringify(kid)}`);
      }
      // The keys are all still there and still work.
      assert.equal((await me(annToken)).statusCode, 200);
    });

    test('jku, x5u and jwk headers are ignored: only the tenant’s own keys verify', async () => {
      const attackerJwk = attacker.publicKey.export({ format: 'jwk' }) as JWK;
      const attackerKid = await calculateJwkThumbprint(attackerJwk);
      const pointers = {
        jku: 'https://evil.test/.well-known/jwks.json',
        x5u: 'https://evil.test/cert.pem',
        jwk: { ...attackerJwk, kid: attackerKid },
      };
      // Signed by the attacker and carrying the attacker's key (or where to fetch it): refused.
      for (const kid of [attackerKid, realKey.kid]) {
        await refused(
          await sign(attacker.privateKey, { ...realHeader(), kid, ...pointers }),
          `embedded jwk, kid ${kid}`,
        );
        await refused(
          await sign(attacker.privateKey, { ...realHeader(), kid, jku: pointers.jku }),
          `jku, kid ${kid}`,
        );
        await refused(
          await sign(attacker.privateKey, { ...realHeader(), kid, x5u: pointers.x5u }),
          `x5u, kid ${kid}`,
        );
      }
      // Signed by the tenant key, the same headers change nothing: still verified against the tenant's keys.
      const real = await sign(realKey.privateKey, { ...realHeader(), ...pointers });
      assert.equal((await me(real)).statusCode, 200);
    });

    test('a typ other than at+jwt (RFC 9068 §2.1) is refused', async () => {
      const { typ: _typ, ...noTyp } = realHeader();
      await refused(await sign(realKey.privateKey, noTyp), 'no typ');
      for (const typ of ['JWT', 'jwt', 'id_token+jwt', 'dpop+jwt', 'logout+jwt', 'at+jwt ', 'at+jwe']) {
        await refused(await sign(realKey.privateKey, { ...realHeader(), typ }), `typ ${typ}`);
      }
    });

    test('typ may carry its media type prefix, in any case (RFC 7515 §4.1.9); critical extensions are refused', async () => {
      for (const typ of ['application/at+jwt', 'AT+JWT', 'Application/At+Jwt'])
        assert.equal(
          (await me(await sign(realKey.privateKey, { ...realHeader(), typ }))).statusCode,
          200,
          typ,
        );
      // jose will not sign an extension it does not know; the service's own signer will.
      const crit = { ...realHeader(), crit: ['exp'], exp: now() + 60 };
      await refused(
        signJws(crit, { ...claims, jti: crypto.randomUUID() }, realKey.privateKey),
        'crit header',
      );
    });

    test('expired tokens and tokens not yet valid (beyond the 5 s tolerance) are refused', async () => {
      await refused(
        await sign(realKey.privateKey, realHeader(), { iat: now() - 700, exp: now() - 60 }),
        'expired',
      );
      await refused(await sign(realKey.privateKey, realHeader(), { nbf: now() + 3600 }), 'nbf in an hour');
      await refused(
        await sign(realKey.privateKey, realHeader(), { exp: undefined }),
        'no exp at all (a token that never expires)',
      );
      await refused(
        await sign(realKey.privateKey, realHeader(), { exp: String(now() + 600) }),
        'exp as a string',
      );
      await refused(await sign(realKey.privateKey, realHeader(), { nbf: String(now()) }), 'nbf as a string');
      await refused(await sign(realKey.privateKey, realHeader(), { jti: undefined }), 'no jti');
      // Within tolerance: a token expired 2 s ago still passes (clock skew), which is documented.
      assert.equal(
        (await me(await sign(realKey.privateKey, realHeader(), { exp: now() - 2 }))).statusCode,
        200,
      );
    });

    test('a token issued in the future (iat beyond tolerance) is refused', {}, async () => {
      await refused(
        await sign(realKey.privateKey, realHeader(), { iat: now() + 3600, exp: now() + 4200 }),
        'iat in an hour',
      );
    });

    test('claims that name another issuer, audience or tenant are refused', async () => {
      const other = `${claims.iss!.replace(/\/t\/acme$/, '/t/globex')}`;
      await refused(await sign(realKey.privateKey, realHeader(), { iss: other }), 'iss globex, acme key');
      await refused(await sign(realKey.privateKey, realHeader(), { aud: other }), 'aud globex');
      await refused(await sign(realKey.privateKey, realHeader(), { aud: [other] }), 'aud [globex]');
      // RFC 7519 §4.1.3: an audience list that names this tenant is this tenant's token.
      assert.equal(
        (await me(await sign(realKey.privateKey, realHeader(), { aud: [other, claims.iss] }))).statusCode,
        200,
      );
      await refused(await sign(realKey.privateKey, realHeader(), { tid: globex.id }), 'tid globex');
      await refused(
        await sign(realKey.privateKey, realHeader(), { iss: 'https://evil.test/t/acme' }),
        'foreign issuer host',
      );
      await refused(
        await sign(realKey.privateKey, realHeader(), { sid: undefined }),
        'a user token without sid',
      );
      await refused(
        await sign(realKey.privateKey, realHeader(), { restriction: 'made_up' }),
        'an unknown restriction',
      );
    });

    test("one tenant's valid token is worthless at another tenant, and unknown tenants are 404", async () => {
      await refused(annToken, 'acme user at globex', 'globex');
      await refused(acme.adminToken, 'acme admin at globex', 'globex');
      const list = await call(t, 'GET', '/t/globex/v1/users', { token: acme.adminToken });
      problemOf(list, 401, 'IAM_ERR_UNAUTHENTICATED');
      // A tenant admin's token on the platform routes: no platform permission.
      problemOf(await call(t, 'GET', '/v1/tenants', { token: acme.adminToken }), 403, 'IAM_ERR_FORBIDDEN');
      problemOf(await me(annToken, 'nowhere'), 404, 'IAM_ERR_TENANT_NOT_FOUND');
    });

    test('malformed Authorization headers are 401, never 5xx', async () => {
      const headers = [
        'Bearer',
        'Bearer ',
        `bearer ${annToken}`,
        `Basic ${annToken}`,
        `Bearer ${annToken} extra`,
        `Bearer ${annToken},Bearer ${annToken}`,
        `Bearer ${'a'.repeat(8000)}`,
        'Bearer ....',
        `Bearer ${enc({ alg: 'EdDSA' })}.${enc([])}.x`,
        `Bearer ${enc({ alg: 'EdDSA', kid: realKey.kid, typ: 'at+jwt' })}.bm90IGpzb24.x`,
      ];
      for (const authorization of headers) {
        const res = await t.app.inject({ method: 'GET', url: '/t/acme/v1/me', headers: { authorization } });
        assert.equal(res.statusCode, 401, `${authorization.slice(0, 40)}: ${res.statusCode}`);
      }
    });
  });
}
