import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { dropServiceTopology } from '../support/amqp-cleanup.ts';
import { VARIANTS } from '../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../support/fixtures.ts';
import { deadPort, type SmtpListener, startSmtp } from '../support/smtp.ts';
import { login, problemOf, startTestApp, type TestApp } from '../support/test-app.ts';
import { AMQP_URL, waitFor } from './queue-support.ts';

const RETRY = { QUEUE_MAX_ATTEMPTS: '2', QUEUE_RETRY_BASE_MS: '20', QUEUE_RETRY_MAX_MS: '40' };
const backends = [
  ...VARIANTS.map((variant) => ({ name: `database queue on ${variant}`, variant, amqp: false })),
  ...(AMQP_URL ? [{ name: 'RabbitMQ with SQLite', variant: 'sqlite' as const, amqp: true }] : []),
];

/** Removes the exchanges and queues a RabbitMQ-backed app declared under its prefix. */
const dropTopology = (prefix: string) =>
  dropServiceTopology(AMQP_URL, prefix, { maxAttempts: 2, baseMs: 20, maxMs: 40 });

for (const backend of backends) {
  describe(`events to email, end to end (${backend.name})`, () => {
    let t: TestApp;
    let smtp: SmtpListener;
    let acme: TenantFixture;
    const prefix = `gh-test-${randomBytes(4).toString('hex')}`;
    let smtpPort: number;

    before(async () => {
      // The mail server is down at first: a port where nothing listens.
      smtpPort = await deadPort();
      t = await startTestApp(backend.variant, {
        env: {
          ...RETRY,
          SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
          OUTBOX_POLL_MS: '50',
          ...(backend.amqp ? { AMQP_URL, AMQP_PREFIX: prefix } : {}),
        },
      });
      acme = await createTenantWithAdmin(t, 'acme');
    });
    after(async () => {
      await t.close();
      await smtp?.close();
      if (backend.amqp) await dropTopology(prefix);
    });

    const forgot = (email: string) =>
      t.app.inject({ method: 'POST', url: '/t/acme/v1/auth/password/forgot', payload: { email } });
    const platform = async (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${await t.adminToken()}` },
        ...(payload ? { payload } : {}),
      });
    const deadLetters = async (query = '') =>
      (await platform('GET', `/v1/dead-letters${query}`)).json().items;

    test('an SMTP server that refuses connections: retried, then dead-lettered; the replay delivers once', async () => {
      const ann = await createUser(t, acme.id, { email: 'ann@acme.test' });
      assert.equal((await forgot(ann.email)).statusCode, 202);
      await waitFor(
        'the dead letter',
        async () => (await deadLetters('?consumer=notifications')).length === 1,
      );
      const [letter] = await deadLetters('?consumer=notifications');
      assert.equal(letter.type, 'user.password_reset_requested');
      assert.equal(letter.tenant_id, acme.id);
      assert.equal(letter.attempts, 2);
      assert.match(letter.error, /ECONNREFUSED|connect/i);
      const shown = (await platform('GET', `/v1/dead-letters/${letter.id}`)).json();
      assert.ok(shown.body.includes(letter.event_id));
      assert.ok(!shown.body.includes('link_token"'), 'the link token stays sealed');

      // The mail server comes up where it was expected; the operator replays the letter.
      smtp = await startSmtp({ port: smtpPort });
      const replay = await platform('POST', `/v1/dead-letters/${letter.id}/replay`);
      assert.equal(replay.statusCode, 200, replay.body);
      await waitFor('the mail', () => smtp.received.length === 1);
      assert.deepEqual(smtp.received[0]!.rcpt, ['ann@acme.test']);
      assert.deepEqual(await deadLetters(), []);
      problemOf(
        await platform('POST', `/v1/dead-letters/${letter.id}/replay`),
        404,
        'IAM_ERR_DEAD_LETTER_NOT_FOUND',
      );
    });

    test('a committed change reaches the mailbox exactly once, with a link that works', async () => {
      await waitFor('the mail server', () => smtp !== undefined);
      const before = smtp.received.length;
      const bob = await createUser(t, acme.id, { email: 'bob@acme.test' });
      assert.equal((await forgot('BOB@acme.test')).statusCode, 202);
      await waitFor('the reset mail', () => smtp.received.length === before + 1);
      const mail = await simpleParser(smtp.received[before]!.raw);
      assert.deepEqual(smtp.received[before]!.rcpt, ['bob@acme.test']);
      assert.ok(mail.headers.get('x-gatehouse-event-id'));
      const link = /https?:\/\/\S+reset-password\?token=([\w-]+)/.exec(mail.text ?? '');
      assert.ok(link, mail.text);
      const reset = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/auth/password/reset',
        payload: { token: link[1], password: 'a brand new passphrase' },
      });
      assert.equal(reset.statusCode, 204, reset.body);
      assert.ok(await login(t.app, 'acme', bob.email, 'a brand new passphrase'));
      // The password change mails too; after that, nothing more arrives for these two events.
      await waitFor('the password-changed mail', () => smtp.received.length === before + 2);
      await t.app.inject({ method: 'GET', url: '/livez' });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(smtp.received.length, before + 2);
    });

    test('a rolled-back change mails nothing', async () => {
      const before = smtp.received.length;
      const outbox = await countRows(t);
      // An administrator creates a user with a taken address: the transaction rolls back whole.
      const refused = await t.app.inject({
        method: 'POST',
        url: '/t/acme/v1/users',
        headers: { authorization: `Bearer ${acme.adminToken}` },
        payload: { email: 'ann@acme.test' },
      });
      problemOf(refused, 409, 'IAM_ERR_EMAIL_TAKEN');
      assert.equal(await countRows(t), outbox, 'no event without its change');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(smtp.received.length, before);
    });
  });
}

async function countRows(t: TestApp): Promise<number> {
  const row = await t.database.db
    .selectFrom('outbox')
    .select((e) => e.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('dead-letter API', () => {
  let t: TestApp;
  let acme: TenantFixture;
  let globex: TenantFixture;
  const ids: Record<string, string> = {};
  before(async () => {
    t = await startTestApp(VARIANTS[0]!);
    acme = await createTenantWithAdmin(t, 'acme');
    globex = await createTenantWithAdmin(t, 'globex');
    const rows = [
      ['a1', acme.id, 'notifications', 'user.invited', '2026-01-01T00:00:01.000Z'],
      ['a2', acme.id, 'webhooks', 'user.created', '2026-01-01T00:00:02.000Z'],
      ['a3', acme.id, 'notifications', 'user.invited', '2026-01-01T00:00:03.000Z'],
      ['g1', globex.id, 'notifications', 'user.invited', '2026-01-01T00:00:04.000Z'],
      ['p1', null, 'notifications', null, '2026-01-01T00:00:05.000Z'],
    ] as const;
    for (const [key, tenant, consumer, type, at] of rows) {
      const { insertDeadLetter } = await import('../../src/events/queue/index.ts');
      ids[key] = await insertDeadLetter(t.database.db, {
        consumer,
        event_id: null,
        tenant_id: tenant,
        type,
        body: type ? JSON.stringify({ id: key, type }) : 'not json',
        error: 'Error: boom',
        attempts: 3,
        first_attempt_at: at,
        failed_at: at,
      });
    }
  });
  after(() => t.close());

  const as = (token: string) => (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(payload ? { payload } : {}),
    });

  test('operators list every tenant, filter and page; tenant administrators see their own', async () => {
    const operator = as(await t.adminToken());
    const all = (await operator('GET', '/v1/dead-letters')).json();
    assert.deepEqual(
      all.items.map((l: { id: string }) => l.id),
      [ids.p1, ids.g1, ids.a3, ids.a2, ids.a1],
    );
    assert.equal(all.items[0].body, undefined, 'lists leave the body out');
    const filtered = (
      await operator('GET', `/v1/dead-letters?tenant_id=${acme.id}&type=user.invited`)
    ).json();
    assert.deepEqual(
      filtered.items.map((l: { id: string }) => l.id),
      [ids.a3, ids.a1],
    );
    const timed = (
      await operator(
        'GET',
        '/v1/dead-letters?failed_from=2026-01-01T00:00:02Z&failed_to=2026-01-01T00:00:04Z',
      )
    ).json();
    assert.equal(timed.items.length, 2);
    const page1 = await operator('GET', '/v1/dead-letters?limit=2');
    assert.match(String(page1.headers.link), /rel="next"/);
    const page2 = (
      await operator('GET', `/v1/dead-letters?limit=2&cursor=${page1.json().next_cursor}`)
    ).json();
    assert.deepEqual(
      page2.items.map((l: { id: string }) => l.id),
      [ids.a3, ids.a2],
    );

    const admin = as(acme.adminToken);
    const own = (await admin('GET', '/t/acme/v1/dead-letters')).json();
    assert.deepEqual(
      own.items.map((l: { id: string }) => l.id),
      [ids.a3, ids.a2, ids.a1],
    );
    problemOf(await admin('GET', '/v1/dead-letters'), 403, 'IAM_ERR_FORBIDDEN');
    problemOf(await admin('GET', `/t/acme/v1/dead-letters/${ids.g1}`), 404, 'IAM_ERR_DEAD_LETTER_NOT_FOUND');
    problemOf(await admin('GET', '/t/globex/v1/dead-letters'), 401, 'IAM_ERR_UNAUTHENTICATED');
    const user = await createUser(t, acme.id, { roles: ['user'] });
    problemOf(
      await as(await login(t.app, 'acme', user.email, user.password))('GET', '/t/acme/v1/dead-letters'),
      403,
      'IAM_ERR_FORBIDDEN',
    );
  });

  test('bad input gets problems and changes nothing', async () => {
    const operator = as(await t.adminToken());
    problemOf(await operator('GET', '/v1/dead-letters?cursor=nope'), 400, 'IAM_ERR_INVALID_CURSOR');
    problemOf(await operator('GET', '/v1/dead-letters?failed_from=yesterday'), 422, 'IAM_ERR_VALIDATION');
    problemOf(await operator('GET', '/v1/dead-letters?tenant_id=acme'), 422, 'IAM_ERR_VALIDATION');
    problemOf(await operator('GET', '/v1/dead-letters?colour=red'), 422, 'IAM_ERR_VALIDATION');
    problemOf(await operator('GET', '/v1/dead-letters/not-an-id'), 404, 'IAM_ERR_DEAD_LETTER_NOT_FOUND');
    problemOf(await operator('POST', '/v1/dead-letters/purge', { consumer: 5 }), 422, 'IAM_ERR_VALIDATION');
    problemOf(
      await operator('POST', '/v1/dead-letters/replay', { everything: true }),
      422,
      'IAM_ERR_VALIDATION',
    );
    problemOf(
      await operator('DELETE', `/v1/dead-letters/${globex.id}`),
      404,
      'IAM_ERR_DEAD_LETTER_NOT_FOUND',
    );
    assert.equal((await operator('GET', '/v1/dead-letters')).json().items.length, 5);
  });

  test('delete one, purge by filter, each recorded', async () => {
    const admin = as(acme.adminToken);
    assert.equal((await admin('DELETE', `/t/acme/v1/dead-letters/${ids.a2}`)).statusCode, 204);
    const purged = await admin('POST', '/t/acme/v1/dead-letters/purge', { type: 'user.invited' });
    assert.deepEqual(purged.json(), { deleted: 2 });
    const operator = as(await t.adminToken());
    assert.deepEqual(
      (await operator('GET', '/v1/dead-letters')).json().items.map((l: { id: string }) => l.id),
      [ids.p1, ids.g1],
    );
    const events = await t.database.db
      .selectFrom('outbox')
      .select(['tenant_id', 'payload'])
      .where('type', '=', 'deadletter.deleted')
      .execute();
    assert.equal(events.length, 2);
    assert.ok(events.every((e) => e.tenant_id === acme.id));
  });
});
