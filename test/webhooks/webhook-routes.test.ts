import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../src/clock.ts';
import { type Database, fromJson } from '../../src/db/index.ts';
import { createKeyEncryption } from '../../src/tokens/index.ts';
import { createWebhookService, webhookRoutes, webhookSecretAad } from '../../src/webhooks/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';

const KEY = randomBytes(32);
const encryption = createKeyEncryption(KEY);
const ENV = { WEBHOOK_ALLOW_INSECURE: 'true', KEY_ENCRYPTION_SECRET: KEY.toString('base64') };

/**
 * Registers the webhook routes unless the composition root already does, with the same settings it
 * would take from ENV (insecure URLs allowed, this key-encryption key).
 */
function withWebhooks(app: FastifyInstance, database: Database): void {
  if (app.hasRoute({ method: 'POST', url: '/t/:tenant/v1/webhooks' })) return;
  const webhooks = createWebhookService({ database, clock: systemClock, encryption, allowInsecure: true });
  app.register(webhookRoutes, { webhooks });
}

for (const variant of VARIANTS) {
  describe(`webhook endpoints API (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    let globex: TenantFixture;
    before(async () => {
      t = await startTestApp(variant, { env: ENV, extend: withWebhooks });
      acme = await createTenantWithAdmin(t, 'acme');
      globex = await createTenantWithAdmin(t, 'globex');
    });
    after(() => t.close());

    const call = (
      tenant: TenantFixture,
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      path: string,
      payload?: unknown,
      token = tenant.adminToken,
    ) =>
      t.app.inject({
        method,
        url: `/t/${tenant.slug}/v1${path}`,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });
    const create = (tenant: TenantFixture, payload: unknown) => call(tenant, 'POST', '/webhooks', payload);
    const valid = { url: 'http://127.0.0.1:9/hooks', event_types: ['user.created', 'user.deleted'] };

    /** The stored rows, read inside the tenant so row-level security shows them on PostgreSQL. */
    const rows = (tenant: TenantFixture) =>
      t.database.withTenant(tenant.id, (trx) =>
        trx.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenant.id).orderBy('id').execute(),
      );
    /** What a refused request must leave as it was: every webhook row of the tenant, and the outbox. */
    const state = async (tenant: TenantFixture) => ({
      webhooks: await rows(tenant),
      outbox: Number(
        (
          await t.database.db
            .selectFrom('outbox')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),
    });

    test('a webhook is created with its secret shown once and stored sealed', async () => {
      const res = await create(acme, valid);
      assert.equal(res.statusCode, 201, res.body);
      assert.equal(res.headers['cache-control'], 'no-store');
      const created = res.json();
      assert.equal(res.headers.location, `/t/acme/v1/webhooks/${created.id}`);
      assert.match(created.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
      assert.equal(created.url, valid.url);
      assert.deepEqual(created.event_types, valid.event_types);
      assert.equal(created.status, 'active');

      const read = await call(acme, 'GET', `/webhooks/${created.id}`);
      assert.equal(read.statusCode, 200);
      const { secret, ...view } = created;
      assert.deepEqual(read.json(), view);
      assert.ok(!read.body.includes(secret) && !read.body.includes('secret'));
      const list = await call(acme, 'GET', '/webhooks');
      assert.ok(!list.body.includes(secret) && !list.body.includes('secret'));

      const row = (await rows(acme)).find((r) => r.id === created.id);
      assert.ok(row);
      assert.ok(!row.secret_sealed.includes(secret) && !row.secret_sealed.includes(secret.slice(6)));
      const opened = encryption.decrypt(row.secret_sealed, webhookSecretAad(acme.id, created.id));
      assert.equal(opened.toString(), secret);
    });

    test('a webhook is changed, its secret rotated, and then deleted', async () => {
      const created = (await create(acme, { url: 'https://localhost/a', event_types: ['*'] })).json();

      const changed = await call(acme, 'PATCH', `/webhooks/${created.id}`, {
        url: 'http://127.0.0.1:8080/b',
        event_types: ['group.created'],
        status: 'disabled',
      });
      assert.equal(changed.statusCode, 200, changed.body);
      const { secret: _shown, ...view } = created;
      assert.deepEqual(
        { ...(changed.json() as Record<string, unknown>), updated_at: undefined },
        {
          ...view,
          url: 'http://127.0.0.1:8080/b',
          event_types: ['group.created'],
          status: 'disabled',
          updated_at: undefined,
        },
      );
      assert.ok(!changed.body.includes('secret'));
      const same = await call(acme, 'PATCH', `/webhooks/${created.id}`, { status: 'disabled' });
      assert.equal(same.json().updated_at, changed.json().updated_at, 'no change writes nothing');

      const sealedBefore = (await rows(acme)).find((r) => r.id === created.id)?.secret_sealed;
      const rotated = await call(acme, 'POST', `/webhooks/${created.id}/rotate-secret`);
      assert.equal(rotated.statusCode, 200, rotated.body);
      assert.equal(rotated.headers['cache-control'], 'no-store');
      const { secret } = rotated.json();
      assert.match(secret, /^whsec_/);
      assert.notEqual(secret, created.secret);
      const sealedAfter = (await rows(acme)).find((r) => r.id === created.id)?.secret_sealed ?? '';
      assert.notEqual(sealedAfter, sealedBefore);
      assert.equal(encryption.decrypt(sealedAfter, webhookSecretAad(acme.id, created.id)).toString(), secret);
      const extra = await call(acme, 'POST', `/webhooks/${created.id}/rotate-secret`, { overlap: 1 });
      problemOf(extra, 422, 'IAM_ERR_VALIDATION');

      const deleted = await call(acme, 'DELETE', `/webhooks/${created.id}`);
      assert.equal(deleted.statusCode, 204);
      problemOf(await call(acme, 'GET', `/webhooks/${created.id}`), 404, 'IAM_ERR_WEBHOOK_NOT_FOUND');
      problemOf(await call(acme, 'DELETE', `/webhooks/${created.id}`), 404, 'IAM_ERR_WEBHOOK_NOT_FOUND');

      // Each change is recorded, naming the host only (a path may carry a receiver's token).
      const recorded = await t.database.db
        .selectFrom('outbox')
        .select(['type', 'payload'])
        .where('type', 'like', 'webhook.%')
        .orderBy('id')
        .execute();
      const mine = recorded
        .map(
          (r): Record<string, unknown> => ({ ...fromJson<Record<string, unknown>>(r.payload), type: r.type }),
        )
        .filter((e) => e.webhook_id === created.id);
      assert.deepEqual(
        mine.map((e) => e.type),
        ['webhook.created', 'webhook.updated', 'webhook.secret_rotated', 'webhook.deleted'],
      );
      assert.equal(mine[0]?.host, 'localhost');
      assert.equal(mine[3]?.actor_id, acme.adminId);
      assert.ok(!JSON.stringify(mine).includes('whsec_'));
    });

    test('the list is keyset-paginated with a Link header', async () => {
      const tenant = await createTenantWithAdmin(t, 'pages');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await create(tenant, { ...valid, url: `http://127.0.0.1:9/${i}` })).json().id);
      }
      const seen: string[] = [];
      let path = '/webhooks?limit=2';
      for (let page = 0; page < 5; page++) {
        const res = await call(tenant, 'GET', path);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        seen.push(...body.items.map((w: { id: string }) => w.id));
        if (!body.next_cursor) {
          assert.equal(res.headers.link, undefined);
          break;
        }
        const link = /^<\/t\/pages\/v1(\/webhooks\?[^>]+)>; rel="next"$/.exec(String(res.headers.link));
        assert.ok(link?.[1], String(res.headers.link));
        path = link[1];
      }
      assert.deepEqual(seen, ids);
      const badCursor = Buffer.from(JSON.stringify(['not-a-uuid'])).toString('base64url');
      problemOf(await call(tenant, 'GET', `/webhooks?cursor=${badCursor}`), 400, 'IAM_ERR_INVALID_CURSOR');
      problemOf(await call(tenant, 'GET', '/webhooks?cursor=%%%'), 400, 'IAM_ERR_INVALID_CURSOR');
      problemOf(await call(tenant, 'GET', '/webhooks?limit=0'), 422, 'IAM_ERR_VALIDATION');
    });

    test("another tenant's webhook, or a malformed id, is not found", async () => {
      const theirs = (await create(globex, valid)).json();
      const before = await state(globex);
      for (const id of [theirs.id, 'not-a-uuid', theirs.id.toUpperCase().replace(/^./, '0')]) {
        problemOf(await call(acme, 'GET', `/webhooks/${id}`), 404, 'IAM_ERR_WEBHOOK_NOT_FOUND');
        problemOf(
          await call(acme, 'PATCH', `/webhooks/${id}`, { status: 'disabled' }),
          404,
          'IAM_ERR_WEBHOOK_NOT_FOUND',
        );
        problemOf(
          await call(acme, 'POST', `/webhooks/${id}/rotate-secret`),
          404,
          'IAM_ERR_WEBHOOK_NOT_FOUND',
        );
        problemOf(await call(acme, 'DELETE', `/webhooks/${id}`), 404, 'IAM_ERR_WEBHOOK_NOT_FOUND');
      }
      const listed = (await call(acme, 'GET', '/webhooks')).json().items.map((w: { id: string }) => w.id);
      assert.ok(!listed.includes(theirs.id));
      assert.deepEqual(await state(globex), before);
      // Ids are accepted in any case (RFC 9562 §4), answered lowercase.
      const own = await call(globex, 'GET', `/webhooks/${theirs.id.toUpperCase()}`);
      assert.equal(own.json().id, theirs.id);
    });

    test('users without webhook permissions are refused', async () => {
      const member = await createUser(t, acme.id, { roles: ['user'] });
      const memberToken = await login(t.app, 'acme', member.email, member.password);
      const auditor = await createUser(t, acme.id, { roles: ['auditor'] });
      const auditorToken = await login(t.app, 'acme', auditor.email, auditor.password);
      const existing = (await create(acme, valid)).json();
      const before = await state(acme);
      for (const token of [memberToken, auditorToken]) {
        problemOf(await call(acme, 'POST', '/webhooks', valid, token), 403, 'IAM_ERR_FORBIDDEN');
        problemOf(
          await call(acme, 'PATCH', `/webhooks/${existing.id}`, { status: 'disabled' }, token),
          403,
          'IAM_ERR_FORBIDDEN',
        );
        problemOf(
          await call(acme, 'POST', `/webhooks/${existing.id}/rotate-secret`, undefined, token),
          403,
          'IAM_ERR_FORBIDDEN',
        );
        problemOf(
          await call(acme, 'DELETE', `/webhooks/${existing.id}`, undefined, token),
          403,
          'IAM_ERR_FORBIDDEN',
        );
      }
      problemOf(await call(acme, 'GET', '/webhooks', undefined, memberToken), 403, 'IAM_ERR_FORBIDDEN');
      problemOf(
        await call(acme, 'GET', `/webhooks/${existing.id}`, undefined, memberToken),
        403,
        'IAM_ERR_FORBIDDEN',
      );
      // Auditors read (webhook:read, webhook:list), and still never see a secret.
      const read = await call(acme, 'GET', `/webhooks/${existing.id}`, undefined, auditorToken);
      assert.equal(read.statusCode, 200);
      assert.ok(!read.body.includes(existing.secret));
      assert.deepEqual(await state(acme), before);
      problemOf(
        await t.app.inject({ method: 'GET', url: '/t/acme/v1/webhooks' }),
        401,
        'IAM_ERR_UNAUTHENTICATED',
      );
    });

    test('bad input gets a problem body and changes nothing', async () => {
      const existing = (await create(acme, valid)).json();
      const cases: [unknown, number, string, string?][] = [
        [
          { ...valid, url: 'https://user:pw@hooks.example.com/in' },
          422,
          'IAM_ERR_WEBHOOK_URL_REFUSED',
          '/url',
        ],
        [{ ...valid, url: 'http://127.0.0.1/in#frag' }, 422, 'IAM_ERR_WEBHOOK_URL_REFUSED', '/url'],
        [{ ...valid, url: 'ftp://hooks.example.com/in' }, 422, 'IAM_ERR_WEBHOOK_URL_REFUSED', '/url'],
        [{ ...valid, url: 'not a url' }, 422, 'IAM_ERR_WEBHOOK_URL_REFUSED', '/url'],
        [{ ...valid, url: `http://127.0.0.1/${'a'.repeat(2048)}` }, 422, 'IAM_ERR_VALIDATION', '/url'],
        [
          { ...valid, event_types: ['user.created', 'user.exploded'] },
          422,
          'IAM_ERR_VALIDATION',
          '/event_types/1',
        ],
        [{ ...valid, event_types: [] }, 422, 'IAM_ERR_VALIDATION', '/event_types'],
        [
          { ...valid, event_types: ['user.created', 'user.created'] },
          422,
          'IAM_ERR_VALIDATION',
          '/event_types',
        ],
        [{ ...valid, event_types: 'user.created' }, 422, 'IAM_ERR_VALIDATION', '/event_types'],
        [{ ...valid, description: 'ours' }, 422, 'IAM_ERR_VALIDATION', '/description'],
        [{ ...valid, secret: 'whsec_mine' }, 422, 'IAM_ERR_VALIDATION', '/secret'],
        [{ url: valid.url }, 422, 'IAM_ERR_VALIDATION', '/event_types'],
      ];
      const before = await state(acme);
      for (const [payload, status, code, pointer] of cases) {
        const problem = problemOf(await create(acme, payload), status, code);
        const pointers = (problem.errors as { pointer: string }[]).map((e) => e.pointer);
        assert.ok(pointers.includes(pointer ?? ''), `${JSON.stringify(payload).slice(0, 80)}: ${pointers}`);
      }
      const patches: [unknown, string][] = [
        [{}, 'IAM_ERR_VALIDATION'],
        [{ status: 'paused' }, 'IAM_ERR_VALIDATION'],
        [{ event_types: [] }, 'IAM_ERR_VALIDATION'],
        [{ secret: 'whsec_mine' }, 'IAM_ERR_VALIDATION'],
        [{ url: 'https://a:b@hooks.example.com/' }, 'IAM_ERR_WEBHOOK_URL_REFUSED'],
      ];
      for (const [payload, code] of patches) {
        problemOf(await call(acme, 'PATCH', `/webhooks/${existing.id}`, payload), 422, code);
      }
      const malformed = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/webhooks',
        headers: { authorization: `Bearer ${acme.adminToken}`, 'content-type': 'application/json' },
        payload: '{"url": "http://127.0.0.1/", "event_types": [',
      });
      problemOf(malformed, 400, 'IAM_ERR_MALFORMED_REQUEST');
      assert.deepEqual(await state(acme), before);
    });
  });
}
