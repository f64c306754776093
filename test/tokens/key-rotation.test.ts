import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { VARIANTS } from '../support/databases.ts';
import { countEvents, createTenantWithSettings, createUser, latestEvent } from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

const LEAD = 60;

for (const variant of VARIANTS) {
  describe(`signing key rotation (${variant})`, () => {
    let t: TestApp;
    let offsetMs = 0;
    const advance = (seconds: number) => {
      offsetMs += seconds * 1000;
    };
    const tenantIds: Record<string, string> = {};

    before(async () => {
      t = await startTestApp(variant, {
        clock: { now: () => new Date(Date.now() + offsetMs) },
        env: { SIGNING_KEY_PUBLISH_LEAD_SECONDS: String(LEAD) },
      });
      for (const [slug, tokens] of [
        ['rot-manual', {}],
        ['rot-sched', { signing_key_rotation_days: 1 }],
        ['rot-es', { signing_algorithm: 'ES256' }],
        ['rot-rs', { signing_algorithm: 'RS256' }],
      ] as const) {
        tenantIds[slug] = await createTenantWithSettings(t, slug, { tokens });
      }
    });
    after(() => t.close());

    const signIn = async (slug: string, roles = ['admin']) => {
      const user = await createUser(t, tenantIds[slug]!, { roles });
      return login(t.app, slug, user.email, user.password);
    };
    const kidOf = (token: string) => String(decodeProtectedHeader(token).kid);
    const jwksKids = async (slug: string) =>
      (await t.app.inject({ method: 'GET', url: `/t/${slug}/.well-known/jwks.json` }))
        .json()
        .keys.map((k: { kid: string }) => k.kid);
    const me = (slug: string, token: string) =>
      t.app.inject({ method: 'GET', url: `/t/${slug}/v1/me`, headers: { authorization: `Bearer ${token}` } });
    const rotate = (slug: string, token: string, payload: object) =>
      t.app.inject({
        method: 'POST',
        url: `/t/${slug}/v1/signing-keys/rotate`,
        headers: { authorization: `Bearer ${token}` },
        payload,
      });

    test('on demand: the next key is published first and signs only after the lead time', async () => {
      const admin = await signIn('rot-manual');
      const first = kidOf(admin);
      assert.deepEqual(await jwksKids('rot-manual'), [first]);

      const res = await rotate('rot-manual', admin, {});
      assert.equal(res.statusCode, 200, res.body);
      const states = res
        .json()
        .items.map((k: { state: string }) => k.state)
        .sort();
      assert.deepEqual(states, ['active', 'next']);
      const next = res.json().items.find((k: { state: string }) => k.state === 'next').kid;
      assert.deepEqual((await jwksKids('rot-manual')).sort(), [first, next].sort());
      assert.equal(kidOf(await signIn('rot-manual')), first, 'the next key does not sign yet');

      advance(LEAD + 1);
      const later = await signIn('rot-manual');
      assert.equal(kidOf(later), next);
      assert.equal((await latestEvent(t, 'signing_key.rotated'))?.previous_kid, first);
      // The old key's tokens keep working while it stays published.
      assert.equal((await me('rot-manual', admin)).statusCode, 200);
      assert.ok((await jwksKids('rot-manual')).includes(first));

      // A day later the retired key has left the JWKS, and its tokens with it.
      advance(86_400 + 1);
      assert.ok(!(await jwksKids('rot-manual')).includes(first));
    });

    test('immediate: a fresh key signs at once, the old one stays published', async () => {
      const admin = await signIn('rot-manual');
      const before = kidOf(admin);
      const res = await rotate('rot-manual', admin, { immediate: true });
      assert.equal(res.statusCode, 200, res.body);
      const now = kidOf(await signIn('rot-manual'));
      assert.notEqual(now, before);
      assert.ok((await jwksKids('rot-manual')).includes(before));
      assert.equal((await me('rot-manual', admin)).statusCode, 200);
      assert.equal((await latestEvent(t, 'signing_key.rotated'))?.reason, 'immediate');
    });

    test('on a schedule: the rotation period publishes a next key, which signs after the lead', async () => {
      const first = kidOf(await signIn('rot-sched'));
      advance(86_400 - LEAD + 1);
      assert.equal(kidOf(await signIn('rot-sched')), first, 'published, not yet signing');
      const kids = await jwksKids('rot-sched');
      assert.equal(kids.length, 2);
      advance(LEAD + 1);
      const second = kidOf(await signIn('rot-sched'));
      assert.notEqual(second, first);
      assert.ok(kids.includes(second), 'the key that signs was published before it signed');
    });

    test('ES256 and RS256 tenants sign with their algorithm, and their tokens verify', async () => {
      for (const [slug, alg, kty] of [
        ['rot-es', 'ES256', 'EC'],
        ['rot-rs', 'RS256', 'RSA'],
      ] as const) {
        const token = await signIn(slug);
        assert.equal(decodeProtectedHeader(token).alg, alg);
        assert.equal((await me(slug, token)).statusCode, 200);
        const jwks = (await t.app.inject({ method: 'GET', url: `/t/${slug}/.well-known/jwks.json` })).json();
        assert.equal(jwks.keys[0].kty, kty);
        assert.equal(jwks.keys[0].alg, alg);
        assert.equal(jwks.keys[0].d, undefined, 'no private part');
      }
    });

    test('bad input and missing permissions are refused and rotate nothing', async () => {
      const admin = await signIn('rot-manual');
      const user = await signIn('rot-manual', ['user']);
      const before = await countEvents(t, 'signing_key.rotated');
      problemOf(await rotate('rot-manual', admin, { immediate: 'yes' }), 422, 'IAM_ERR_VALIDATION');
      problemOf(await rotate('rot-manual', admin, { immediate: true, kid: 'x' }), 422, 'IAM_ERR_VALIDATION');
      problemOf(await rotate('rot-manual', user, { immediate: true }), 403, 'IAM_ERR_FORBIDDEN');
      problemOf(await rotate('rot-es', admin, { immediate: true }), 401, 'IAM_ERR_UNAUTHENTICATED');
      const list = await t.app.inject({
        method: 'GET',
        url: '/t/rot-manual/v1/signing-keys',
        headers: { authorization: `Bearer ${user}` },
      });
      problemOf(list, 403, 'IAM_ERR_FORBIDDEN');
      assert.equal(await countEvents(t, 'signing_key.rotated'), before);
    });
  });
}
