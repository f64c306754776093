import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { systemClock } from '../../src/clock.ts';
import { type Database, uuidv7 } from '../../src/db/index.ts';
import type { QueuedEvent } from '../../src/events/queue/index.ts';
import { createKeyEncryption } from '../../src/tokens/index.ts';
import {
  createWebhookConsumer,
  createWebhookService,
  endpointConsumerName,
  verifyWebhookSignature,
  webhookRoutes,
} from '../../src/webhooks/index.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, type TenantFixture } from '../support/fixtures.ts';
import { startTestApp, type TestApp } from '../support/test-app.ts';

const KEY = randomBytes(32);
const encryption = createKeyEncryption(KEY);
const ENV = {
  WEBHOOK_ALLOW_INSECURE: 'true',
  KEY_ENCRYPTION_SECRET: KEY.toString('base64'),
  // The tests drive the consumer by hand; the app's own consumers would deliver the same events.
  EVENT_CONSUMERS_ENABLED: 'false',
};

/** Registers the webhook routes unless the composition root already does, with the settings of ENV. */
function withWebhooks(app: FastifyInstance, database: Database): void {
  if (app.hasRoute({ method: 'POST', url: '/t/:tenant/v1/webhooks' })) return;
  const webhooks = createWebhookService({ database, clock: systemClock, encryption, allowInsecure: true });
  app.register(webhookRoutes, { webhooks });
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * A real HTTP endpoint on 127.0.0.1: answers 204, or the status set for a path; `/redirect…` answers
 * 302 to `/ok/redirected`; `/hang…` never answers.
 */
async function startReceiver() {
  const received: Received[] = [];
  const statuses = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (path.startsWith('/hang')) return;
      if (path.startsWith('/redirect')) res.writeHead(302, { location: '/ok/redirected' }).end();
      else res.writeHead(statuses.get(path) ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received,
    statuses,
    to: (path: string) => received.filter((r) => r.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

for (const variant of VARIANTS) {
  describe(`webhook deliveries (${variant})`, () => {
    let t: TestApp;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    let tenantCount = 0;
    before(async () => {
      t = await startTestApp(variant, { env: ENV, extend: withWebhooks });
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await t.close();
    });

    const consumer = (options: { timeoutMs?: number; allowInsecure?: boolean } = {}) =>
      createWebhookConsumer({
        database: t.database,
        encryption,
        clock: systemClock,
        timeoutMs: options.timeoutMs ?? 5000,
        allowInsecure: options.allowInsecure ?? true,
      });
    /** Each test has tenants of its own, so no endpoint of another test receives its events. */
    const tenant = () => createTenantWithAdmin(t, `hooks-${++tenantCount}`);
    const register = async (owner: TenantFixture, path: string, eventTypes: string[]) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/t/${owner.slug}/v1/webhooks`,
        headers: { authorization: `Bearer ${owner.adminToken}` },
        payload: { url: receiver.url(path), event_types: eventTypes },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; secret: string };
    };
    const patch = (owner: TenantFixture, id: string, payload: object) =>
      t.app.inject({
        method: 'PATCH',
        url: `/t/${owner.slug}/v1/webhooks/${id}`,
        headers: { authorization: `Bearer ${owner.adminToken}` },
        payload,
      });
    const event = (
      tenantId: string | null,
      type: string,
      payload: Record<string, unknown> = {},
      occurredAt = new Date(),
    ): QueuedEvent => ({
      id: uuidv7(),
      type,
      version: 1,
      tenant_id: tenantId,
      occurred_at: occurredAt.toISOString(),
      payload: { tenant_id: tenantId, ...payload },
    });

    test('an event reaches the endpoint signed, with sealed members left out', async () => {
      const acme = await tenant();
      const hook = await register(acme, '/ok/signed', ['user.invited']);
      const invited = event(acme.id, 'user.invited', {
        user_id: uuidv7(),
        email: 'ada@example.com',
        actor_id: acme.adminId,
        link_id: 'lnk-1',
        link_token_sealed: encryption.encrypt(Buffer.from('the-link-token'), 'aad'),
        expires_at: '2030-01-01T00:00:00.000Z',
        nested: { reset_sealed: 'x', kept: [{ also_sealed: 'y', n: 1 }] },
      });
      await consumer().handle(invited);

      const [delivery, ...more] = receiver.to('/ok/signed');
      assert.ok(delivery);
      assert.equal(more.length, 0);
      assert.equal(delivery.headers['content-type'], 'application/json');
      assert.equal(delivery.headers['user-agent'], 'Gatehouse-Webhooks/1');
      assert.equal(delivery.headers['gatehouse-event-id'], invited.id);
      assert.equal(delivery.headers['gatehouse-event-type'], 'user.invited');
      const signature = String(delivery.headers['gatehouse-signature']);
      assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
      const nowSeconds = Math.floor(Date.now() / 1000);
      assert.equal(verifyWebhookSignature(hook.secret, signature, delivery.body, nowSeconds), true);
      assert.equal(verifyWebhookSignature(hook.secret, signature, `${delivery.body} `, nowSeconds), false);

      const { link_token_sealed: _sealed, nested: _nested, ...kept } = invited.payload;
      assert.deepEqual(JSON.parse(delivery.body), {
        id: invited.id,
        type: 'user.invited',
        version: 1,
        tenant_id: acme.id,
        occurred_at: invited.occurred_at,
        data: { ...kept, nested: { kept: [{ n: 1 }] } },
      });
      assert.ok(!delivery.body.includes('_sealed') && !delivery.body.includes(String(_sealed)));

      // Delivered once: a redelivery of the same event does not reach the endpoint again.
      await consumer().handle(invited);
      assert.equal(receiver.to('/ok/signed').length, 1);
      const recorded = await t.database.db
        .selectFrom('consumed_events')
        .select('consumer')
        .where('event_id', '=', invited.id)
        .execute();
      assert.deepEqual(
        recorded.map((r) => r.consumer),
        [endpointConsumerName(hook.id)],
      );
    });

    test('only active endpoints of the tenant subscribed to the type receive it', async () => {
      const acme = await tenant();
      const globex = await tenant();
      const before = new Date(Date.now() - 60_000);
      await register(acme, '/ok/groups', ['group.created']);
      await register(acme, '/ok/all', ['*']);
      const disabled = await register(acme, '/ok/disabled', ['*']);
      assert.equal((await patch(acme, disabled.id, { status: 'disabled' })).statusCode, 200);
      await register(globex, '/ok/globex', ['*']);

      await consumer().handle(event(acme.id, 'user.created', { user_id: uuidv7() }));
      await consumer().handle(event(null, 'tenant.created', { slug: 'x' }));
      await consumer().handle(event(acme.id, 'group.created', { group_id: uuidv7() }, before));
      assert.equal(receiver.to('/ok/groups').length, 0, 'unsubscribed, or older than the endpoint');
      assert.equal(receiver.to('/ok/all').length, 1, 'user.created only');
      await consumer().handle(event(acme.id, 'group.created', { group_id: uuidv7() }));
      assert.equal(receiver.to('/ok/groups').length, 1);
      assert.equal(receiver.to('/ok/all').length, 2);
      assert.equal(receiver.to('/ok/disabled').length, 0);
      assert.equal(receiver.to('/ok/globex').length, 0);

      // Re-enabled, the endpoint receives what happens from then on.
      assert.equal((await patch(acme, disabled.id, { status: 'active' })).statusCode, 200);
      await consumer().handle(event(acme.id, 'group.deleted', { group_id: uuidv7() }));
      assert.equal(receiver.to('/ok/disabled').length, 1);
    });

    test('a failing endpoint makes the event fail, and the retry goes to that endpoint only', async () => {
      const acme = await tenant();
      const good = await register(acme, '/ok/good', ['user.created']);
      const bad = await register(acme, '/fail/bad', ['user.created']);
      receiver.statuses.set('/fail/bad', 500);
      const created = event(acme.id, 'user.created', { user_id: uuidv7(), email: 'x@example.com' });

      await assert.rejects(consumer().handle(created), (error: Error) => {
        assert.match(error.message, new RegExp(`${bad.id}: HTTP 500`));
        assert.ok(!error.message.includes(good.id), 'only the failed endpoint is named');
        for (const secret of [good.secret, bad.secret, '/fail/bad', 'x@example.com']) {
          assert.ok(!error.message.includes(secret), 'no secret, URL or payload in the error');
        }
        return true;
      });
      assert.equal(receiver.to('/ok/good').length, 1);
      assert.equal(receiver.to('/fail/bad').length, 1);

      receiver.statuses.delete('/fail/bad');
      await consumer().handle(created);
      assert.equal(receiver.to('/ok/good').length, 1, 'the endpoint that had it is not called twice');
      assert.equal(receiver.to('/fail/bad').length, 2);
      await consumer().handle(created);
      assert.equal(receiver.received.filter((r) => r.headers['gatehouse-event-id'] === created.id).length, 3);
    });

    test('a redirect is a failure and is not followed', async () => {
      const acme = await tenant();
      const hook = await register(acme, '/redirect/1', ['user.created']);
      await assert.rejects(
        consumer().handle(event(acme.id, 'user.created', { user_id: uuidv7() })),
        new RegExp(`${hook.id}: HTTP 302`),
      );
      assert.equal(receiver.to('/redirect/1').length, 1);
      assert.equal(receiver.to('/ok/redirected').length, 0);
    });

    test('an endpoint that does not answer in time fails the event', async () => {
      const acme = await tenant();
      const hook = await register(acme, '/hang/1', ['user.created']);
      await assert.rejects(
        consumer({ timeoutMs: 200 }).handle(event(acme.id, 'user.created', { user_id: uuidv7() })),
        new RegExp(`${hook.id}: no answer within 200 ms`),
      );
    });

    test('the URL is checked again at delivery: a private address is refused then too', async () => {
      const acme = await tenant();
      const hook = await register(acme, '/ok/private', ['user.created']);
      await assert.rejects(
        consumer({ allowInsecure: false }).handle(event(acme.id, 'user.created', { user_id: uuidv7() })),
        new RegExp(`${hook.id}: URL refused`),
      );
      assert.equal(receiver.to('/ok/private').length, 0);
    });

    test('after a rotation, deliveries are signed with the new secret', async () => {
      const acme = await tenant();
      const hook = await register(acme, '/ok/rotated', ['user.created']);
      const res = await t.app.inject({
        method: 'POST',
        url: `/t/${acme.slug}/v1/webhooks/${hook.id}/rotate-secret`,
        headers: { authorization: `Bearer ${acme.adminToken}` },
      });
      const { secret } = res.json() as { secret: string };
      await consumer().handle(event(acme.id, 'user.created', { user_id: uuidv7() }));
      const [delivery] = receiver.to('/ok/rotated');
      assert.ok(delivery);
      const header = String(delivery.headers['gatehouse-signature']);
      const nowSeconds = Math.floor(Date.now() / 1000);
      assert.equal(verifyWebhookSignature(secret, header, delivery.body, nowSeconds), true);
      assert.equal(verifyWebhookSignature(hook.secret, header, delivery.body, nowSeconds), false);
    });
  });
}
