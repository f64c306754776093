import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { VARIANTS } from '../support/databases.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

for (const variant of VARIANTS) {
  describe(`tenants (${variant})`, () => {
    let t: TestApp;
    let auth: { authorization: string };
    before(async () => {
      t = await startTestApp(variant);
      auth = { authorization: `Bearer ${await t.adminToken()}` };
    });
    after(() => t.close());

    const create = (payload: unknown) =>
      t.app.inject({ method: 'POST', url: '/v1/tenants', headers: auth, payload: payload as object });
    const tenantCount = async () =>
      Number(
        (
          await t.database.db
            .selectFrom('tenants')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const outboxCount = async () =>
      Number(
        (
          await t.database.db
            .selectFrom('outbox')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    test('an operator creates, reads, renames, suspends, reactivates and deletes a tenant', async () => {
      const res = await create({ slug: 'acme', display_name: 'Acme Corp' });
      assert.equal(res.statusCode, 201);
      assert.equal(res.headers.location, '/v1/tenants/acme');
      const created = res.json();
      assert.equal(created.slug, 'acme');
      assert.equal(created.status, 'active');
      assert.match(created.id, /^[0-9a-f-]{36}$/);

      const got = await t.app.inject({ method: 'GET', url: '/v1/tenants/acme', headers: auth });
      assert.deepEqual(got.json(), created);

      const renamed = await t.app.inject({
        method: 'PATCH',
        url: '/v1/tenants/acme',
        headers: auth,
        payload: { display_name: 'Acme Inc' },
      });
      assert.equal(renamed.json().display_name, 'Acme Inc');

      const suspended = await t.app.inject({
        method: 'PATCH',
        url: '/v1/tenants/acme',
        headers: auth,
        payload: { status: 'suspended' },
      });
      assert.equal(suspended.json().status, 'suspended');
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/acme/.well-known/jwks.json' }),
        403,
        'IAM_ERR_TENANT_SUSPENDED',
      );

      await t.app.inject({
        method: 'PATCH',
        url: '/v1/tenants/acme',
        headers: auth,
        payload: { status: 'active' },
      });
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/t/acme/.well-known/jwks.json' })).statusCode,
        200,
      );

      const deleted = await t.app.inject({ method: 'DELETE', url: '/v1/tenants/acme', headers: auth });
      assert.equal(deleted.statusCode, 204);
      problemOf(
        await t.app.inject({ method: 'GET', url: '/v1/tenants/acme', headers: auth }),
        404,
        'IAM_ERR_TENANT_NOT_FOUND',
      );
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/acme/.well-known/jwks.json' }),
        404,
        'IAM_ERR_TENANT_NOT_FOUND',
      );
      // The slug stays taken until the deleted tenant is purged.
      problemOf(await create({ slug: 'acme', display_name: 'Again' }), 409, 'IAM_ERR_TENANT_SLUG_TAKEN');

      const events = await t.database.db
        .selectFrom('outbox')
        .select('type')
        .where('type', 'like', 'tenant.%')
        .orderBy('occurred_at')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        events.map((e) => e.type),
        [
          'tenant.created',
          'tenant.created',
          'tenant.updated',
          'tenant.suspended',
          'tenant.reactivated',
          'tenant.deleted',
        ],
      );
    });

    test('a new tenant gets its system roles in the same transaction', async () => {
      const res = await create({ slug: 'roles-check', display_name: 'Roles' });
      const roles = await t.database.withTenant(res.json().id, (trx) =>
        trx
          .selectFrom('roles')
          .select('name')
          .where('tenant_id', '=', res.json().id)
          .orderBy('name')
          .execute(),
      );
      assert.deepEqual(
        roles.map((r) => r.name),
        ['admin', 'auditor', 'user'],
      );
    });

    test('list pages with a cursor and a Link header', async () => {
      for (const slug of ['page-a', 'page-b', 'page-c']) await create({ slug, display_name: slug });
      const seen: string[] = [];
      let url = '/v1/tenants?limit=2';
      for (let i = 0; i < 10 && url; i++) {
        const res = await t.app.inject({ method: 'GET', url, headers: auth });
        assert.equal(res.statusCode, 200);
        const body = res.json();
        seen.push(...body.items.map((x: { slug: string }) => x.slug));
        assert.ok(body.items.length <= 2);
        const link = res.headers.link as string | undefined;
        if (body.next_cursor) {
          assert.match(String(link), /rel="next"/);
          url = String(link).slice(1, String(link).indexOf('>'));
        } else {
          assert.equal(link, undefined);
          url = '';
        }
      }
      assert.equal(new Set(seen).size, seen.length, 'no tenant is listed twice');
      for (const slug of ['platform', 'page-a', 'page-b', 'page-c']) assert.ok(seen.includes(slug), slug);
      const suspendedOnly = await t.app.inject({
        method: 'GET',
        url: '/v1/tenants?status=suspended',
        headers: auth,
      });
      assert.deepEqual(suspendedOnly.json().items, []);
    });

    test('bad input is refused with a problem and changes nothing', async () => {
      const before = [await tenantCount(), await outboxCount()];
      const cases: [unknown, number, string][] = [
        [{ slug: 'ab', display_name: 'x' }, 422, 'IAM_ERR_VALIDATION'],
        [{ slug: 'Upper', display_name: 'x' }, 422, 'IAM_ERR_VALIDATION'],
        [{ slug: '-lead', display_name: 'x' }, 422, 'IAM_ERR_VALIDATION'],
        [{ slug: 'a'.repeat(64), display_name: 'x' }, 422, 'IAM_ERR_VALIDATION'],
        [{ slug: 'good-slug' }, 422, 'IAM_ERR_VALIDATION'],
        [{ slug: 'good-slug', display_name: 42 }, 422, 'IAM_ERR_VALIDATION'],
        [{ slug: 'good-slug', display_name: '   ' }, 422, 'IAM_ERR_VALIDATION'],
        [{ slug: 'good-slug', display_name: 'x', status: 'active' }, 422, 'IAM_ERR_VALIDATION'],
        [{ slug: 'admin', display_name: 'x' }, 422, 'IAM_ERR_TENANT_SLUG_RESERVED'],
        [{ slug: 'platform', display_name: 'x' }, 422, 'IAM_ERR_TENANT_SLUG_RESERVED'],
        [[], 422, 'IAM_ERR_VALIDATION'],
      ];
      for (const [payload, status, code] of cases) problemOf(await create(payload), status, code);

      const unknown = problemOf(
        await create({ slug: 'good-slug', display_name: 'x', extra: 1 }),
        422,
        'IAM_ERR_VALIDATION',
      );
      assert.deepEqual(unknown.errors, [{ pointer: '/extra', message: 'is not a known field', in: 'body' }]);
      const missing = problemOf(await create({ slug: 'good-slug' }), 422, 'IAM_ERR_VALIDATION');
      assert.deepEqual(missing.errors, [{ pointer: '/display_name', message: 'is required', in: 'body' }]);

      const malformed = await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { ...auth, 'content-type': 'application/json' },
        payload: '{"slug": "x",',
      });
      problemOf(malformed, 400, 'IAM_ERR_MALFORMED_REQUEST');
      const wrongType = await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { ...auth, 'content-type': 'text/plain' },
        payload: 'slug=x',
      });
      problemOf(wrongType, 415, 'IAM_ERR_UNSUPPORTED_MEDIA_TYPE');
      const huge = await create({ slug: 'huge', display_name: 'x'.repeat(t.config.BODY_LIMIT_BYTES) });
      problemOf(huge, 413, 'IAM_ERR_PAYLOAD_TOO_LARGE');

      problemOf(
        await t.app.inject({
          method: 'PATCH',
          url: '/v1/tenants/platform',
          headers: auth,
          payload: { status: 'suspended' },
        }),
        409,
        'IAM_ERR_TENANT_PROTECTED',
      );
      problemOf(
        await t.app.inject({ method: 'DELETE', url: '/v1/tenants/platform', headers: auth }),
        409,
        'IAM_ERR_TENANT_PROTECTED',
      );
      problemOf(
        await t.app.inject({
          method: 'PATCH',
          url: '/v1/tenants/nope-nope',
          headers: auth,
          payload: { display_name: 'y' },
        }),
        404,
        'IAM_ERR_TENANT_NOT_FOUND',
      );
      problemOf(
        await t.app.inject({ method: 'PATCH', url: '/v1/tenants/platform', headers: auth, payload: {} }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await t.app.inject({ method: 'GET', url: '/v1/tenants?cursor=garbage', headers: auth }),
        400,
        'IAM_ERR_INVALID_CURSOR',
      );
      problemOf(
        await t.app.inject({ method: 'GET', url: '/v1/tenants?limit=0', headers: auth }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await t.app.inject({ method: 'GET', url: '/v1/tenants?limit=201', headers: auth }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await t.app.inject({ method: 'GET', url: '/v1/tenants?limit=abc', headers: auth }),
        422,
        'IAM_ERR_VALIDATION',
      );
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/NOT_A_SLUG/.well-known/jwks.json' }),
        404,
        'IAM_ERR_TENANT_NOT_FOUND',
      );
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/unknown-tenant/.well-known/jwks.json' }),
        404,
        'IAM_ERR_TENANT_NOT_FOUND',
      );

      assert.deepEqual([await tenantCount(), await outboxCount()], before);
    });

    test('only platform administrators manage tenants', async () => {
      problemOf(await t.app.inject({ method: 'GET', url: '/v1/tenants' }), 401, 'IAM_ERR_UNAUTHENTICATED');
      const forged = await t.app.inject({
        method: 'GET',
        url: '/v1/tenants',
        headers: { authorization: 'Bearer abc.def.ghi' },
      });
      const body = problemOf(forged, 401, 'IAM_ERR_UNAUTHENTICATED');
      assert.equal(forged.headers['www-authenticate'], 'Bearer error="invalid_token"');
      assert.equal(JSON.stringify(body).includes('abc.def'), false);
      problemOf(
        await t.app.inject({
          method: 'GET',
          url: '/v1/tenants',
          headers: { authorization: 'Basic Zm9vOmJhcg==' },
        }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      // A token signed by the platform tenant but presented after its signature was altered.
      const token = await t.adminToken();
      const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      problemOf(
        await t.app.inject({
          method: 'GET',
          url: '/v1/tenants',
          headers: { authorization: `Bearer ${tampered}` },
        }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
      // The administrator of an ordinary tenant is not a platform operator.
      const tenant = (await create({ slug: 'other-org', display_name: 'Other' })).json();
      const { insertUser } = await import('../../src/users/index.ts');
      const { assignRole } = await import('../../src/roles/index.ts');
      const { createPasswordHasher } = await import('../../src/users/index.ts');
      const hash = await createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 }).hash(
        'another long password',
      );
      await t.database.withTenant(tenant.id, async (trx) => {
        const now = new Date().toISOString();
        await insertUser(trx, tenant.id, {
          id: '00000000-0000-7000-8000-000000000001',
          email: 'boss@other.test',
          emailNormalized: 'boss@other.test',
          emailVerified: true,
          passwordHash: hash,
          name: null,
          now,
        });
        await assignRole(trx, tenant.id, '00000000-0000-7000-8000-000000000001', 'admin', now);
      });
      const tenantAdmin = await login(t.app, 'other-org', 'boss@other.test', 'another long password');
      problemOf(
        await t.app.inject({
          method: 'GET',
          url: '/v1/tenants',
          headers: { authorization: `Bearer ${tenantAdmin}` },
        }),
        403,
        'IAM_ERR_FORBIDDEN',
      );
      problemOf(
        await t.app.inject({
          method: 'POST',
          url: '/v1/tenants',
          headers: { authorization: `Bearer ${tenantAdmin}` },
          payload: { slug: 'sneaky', display_name: 'x' },
        }),
        403,
        'IAM_ERR_FORBIDDEN',
      );
    });
  });
}
