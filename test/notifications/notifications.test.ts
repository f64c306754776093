import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { EVENT_CATALOGUE } from '../../src/events/index.ts';
import type { QueuedEvent } from '../../src/events/queue/queue-port.ts';
import {
  createFileMailer,
  createMailer,
  createNotificationConsumer,
  createSmtpMailer,
  EMAIL_EVENT_TYPES,
  type Mailer,
  type NotificationDeps,
  parseSmtpUrl,
  type Recipient,
} from '../../src/notifications/index.ts';
import { createKeyEncryption } from '../../src/tokens/index.ts';
import { linkAad } from '../../src/users/index.ts';
import { deadPort, type SmtpListener, startSmtp } from '../support/smtp.ts';

const TENANT_ID = 'ten-1';
const USER_ID = 'usr-1';
const BASE_URL = 'https://id.example.com/iam';
const encryption = createKeyEncryption(randomBytes(32));

function memoryLog() {
  const entries: { level: string; fields: object; message: string }[] = [];
  return {
    entries,
    info: (fields: object, message: string) => entries.push({ level: 'info', fields, message }),
    debug: (fields: object, message: string) => entries.push({ level: 'debug', fields, message }),
  };
}

let eventCounter = 0;
function event(type: string, payload: Record<string, unknown>): QueuedEvent {
  eventCounter += 1;
  return {
    id: `evt-${eventCounter}`,
    type,
    version: 1,
    tenant_id: TENANT_ID,
    occurred_at: new Date().toISOString(),
    payload: { tenant_id: TENANT_ID, user_id: USER_ID, actor_id: null, ...payload },
  };
}

/** Link members as the users module seals them. */
function sealed(token: string, linkId = `lnk-${randomBytes(4).toString('hex')}`) {
  return {
    link_id: linkId,
    link_token_sealed: encryption.encrypt(Buffer.from(token), linkAad(TENANT_ID, linkId)),
    expires_at: '2030-05-03T14:05:00.000Z',
  };
}

function consumerFor(
  mailer: Mailer,
  recipient: Partial<Recipient> = {},
  extra: Partial<NotificationDeps> = {},
) {
  return createNotificationConsumer({
    mailer,
    encryption,
    baseUrl: BASE_URL,
    fromAddress: 'no-reply@example.com',
    lookupTenant: async (id) =>
      id === TENANT_ID ? { slug: 'acme', displayName: 'Acme Corp', senderName: 'Acme Security' } : undefined,
    lookupRecipient: async (tenantId, userId) =>
      tenantId === TENANT_ID && userId === USER_ID
        ? { email: 'ada@example.com', name: 'Ada Lovelace', locale: 'en', ...recipient }
        : undefined,
    ...extra,
  });
}

const firstAddress = (field: ParsedMail['to'] | ParsedMail['from']) =>
  (Array.isArray(field) ? field[0] : field)?.value[0];

function linkOf(mail: ParsedMail): URL {
  const match = /https?:\/\/\S+/.exec(mail.text ?? '');
  assert.ok(match, 'the text part carries a link');
  return new URL(match[0]);
}

async function lastMail(listener: SmtpListener): Promise<ParsedMail> {
  const last = listener.received.at(-1);
  assert.ok(last, 'a message was received');
  return simpleParser(last.raw);
}

// Each email event: its payload, who receives it, what the subject says, where the link goes.
const CASES: {
  type: (typeof EMAIL_EVENT_TYPES)[number];
  payload: Record<string, unknown>;
  to: string;
  subject: RegExp;
  page: string;
  token?: string;
}[] = [
  {
    type: 'user.invited',
    payload: { email: 'new@example.com', ...sealed('invite-token') },
    to: 'new@example.com',
    subject: /invited to Acme Corp/,
    page: 'accept-invitation',
    token: 'invite-token',
  },
  {
    type: 'user.email_verification_requested',
    payload: { email: 'ada@example.com', ...sealed('verify+token/=&x') },
    to: 'ada@example.com',
    subject: /Confirm your email address/,
    page: 'verify-email',
    token: 'verify+token/=&x',
  },
  {
    type: 'user.password_reset_requested',
    payload: { email: 'ada@example.com', ...sealed('reset-token') },
    to: 'ada@example.com',
    subject: /Reset your Acme Corp password/,
    page: 'reset-password',
    token: 'reset-token',
  },
  {
    type: 'user.registration_existing_email',
    payload: { email: 'ada@example.com' },
    to: 'ada@example.com',
    subject: /tried to register/,
    page: 'sign-in',
  },
  {
    type: 'user.email_changed',
    payload: { email: 'ada.new@example.com', old_email: 'ada.old@example.com' },
    to: 'ada.old@example.com',
    subject: /email address was changed/,
    page: '',
  },
  {
    type: 'user.password_changed',
    payload: { email: 'ada@example.com', reason: 'reset' },
    to: 'ada@example.com',
    subject: /password was changed/,
    page: 'sign-in',
  },
  {
    type: 'mfa.enrolled',
    payload: { email: 'ada@example.com', replaced: false },
    to: 'ada@example.com',
    subject: /Two-step verification is on/,
    page: '',
  },
  {
    type: 'mfa.disabled',
    payload: { email: 'ada@example.com' },
    to: 'ada@example.com',
    subject: /turned off/,
    page: 'sign-in',
  },
  {
    type: 'mfa.reset_by_admin',
    payload: { email: 'ada@example.com' },
    to: 'ada@example.com',
    subject: /administrator reset/,
    page: 'sign-in',
  },
  {
    type: 'mfa.recovery_code_used',
    payload: { email: 'ada@example.com', remaining: 3 },
    to: 'ada@example.com',
    subject: /recovery code was used/,
    page: '',
  },
  {
    type: 'user.password_expiry_reminder_due',
    payload: { email: 'ada@example.com', expires_at: '2030-06-01T08:00:00.000Z' },
    to: 'ada@example.com',
    subject: /expires soon/,
    page: 'sign-in',
  },
];

describe('notifications over SMTP', () => {
  let smtp: SmtpListener;
  let mailer: Mailer;
  before(async () => {
    smtp = await startSmtp();
    mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${smtp.port}`, tlsRejectUnauthorized: true });
  });
  after(async () => {
    await mailer.close?.();
    await smtp.close();
  });

  test('subscribes to exactly the email events of the catalogue', () => {
    const consumer = consumerFor(mailer);
    assert.equal(consumer.name, 'notifications');
    const emailing = Object.entries(EVENT_CATALOGUE)
      .filter(
        ([type, def]) => /email to/.test(def.description) || type === 'user.registration_existing_email',
      )
      .map(([type]) => type);
    assert.deepEqual([...(consumer.types as readonly string[])].sort(), [...EMAIL_EVENT_TYPES].sort());
    for (const type of emailing) assert.ok(EMAIL_EVENT_TYPES.includes(type as never), type);
    assert.deepEqual(CASES.map((c) => c.type).sort(), [...EMAIL_EVENT_TYPES].sort());
  });

  for (const c of CASES) {
    test(`${c.type} sends one email to ${c.to}`, async () => {
      const consumer = consumerFor(mailer);
      const before = smtp.received.length;
      const e = event(c.type, c.payload);
      await consumer.handle(e);
      assert.equal(smtp.received.length, before + 1);
      assert.deepEqual(smtp.received.at(-1)?.rcpt, [c.to]);

      const mail = await lastMail(smtp);
      assert.equal(firstAddress(mail.to)?.address, c.to);
      assert.equal(firstAddress(mail.to)?.name, 'Ada Lovelace');
      assert.equal(firstAddress(mail.from)?.address, 'no-reply@example.com');
      assert.equal(firstAddress(mail.from)?.name, 'Acme Security');
      assert.match(mail.subject ?? '', c.subject);
      assert.equal(mail.headers.get('x-gatehouse-event-id'), e.id);
      assert.ok(mail.html, 'an HTML part');
      assert.match(mail.text ?? '', /^Hello Ada Lovelace,/);

      if (c.page) {
        const link = linkOf(mail);
        assert.equal(link.origin + link.pathname, `${BASE_URL}/t/acme/${c.page}`);
        assert.equal(link.searchParams.get('token') ?? undefined, c.token);
        // The HTML part points at the same address (attribute-escaped).
        assert.ok((mail.html as string).includes(`href="${link.toString().replaceAll('&', '&amp;')}"`));
      } else {
        assert.doesNotMatch(mail.text ?? '', /https?:\/\//);
      }
    });
  }

  test('the email change notice names the new address and goes to the old one only', async () => {
    await consumerFor(mailer).handle(
      event('user.email_changed', { email: 'ada.new@example.com', old_email: 'ada.old@example.com' }),
    );
    const mail = await lastMail(smtp);
    assert.deepEqual(smtp.received.at(-1)?.rcpt, ['ada.old@example.com']);
    assert.match(mail.text ?? '', /from ada\.old@example\.com to ada\.new@example\.com/);
  });

  test('German for de and de-AT profiles; English for a language without a translation', async () => {
    for (const locale of ['de', 'de-AT']) {
      await consumerFor(mailer, { locale }).handle(
        event('user.password_reset_requested', { email: 'ada@example.com', ...sealed('t') }),
      );
      const mail = await lastMail(smtp);
      assert.equal(mail.subject, 'Passwort für Acme Corp zurücksetzen');
      assert.match(mail.text ?? '', /^Hallo Ada Lovelace,/);
      assert.match(mail.html as string, /<html lang="de">/);
      assert.match(mail.text ?? '', /läuft am 3\. Mai 2030/);
    }
    await consumerFor(mailer, { locale: 'fr-FR' }).handle(
      event('user.password_reset_requested', { email: 'ada@example.com', ...sealed('t') }),
    );
    const mail = await lastMail(smtp);
    assert.equal(mail.subject, 'Reset your Acme Corp password');
    assert.match(mail.html as string, /<html lang="en">/);
  });

  test('names are text in the HTML part, never markup', async () => {
    const consumer = createNotificationConsumer({
      mailer,
      encryption,
      baseUrl: BASE_URL,
      fromAddress: 'no-reply@example.com',
      lookupTenant: async () => ({ slug: 'acme', displayName: 'Acme & <b>Co</b>', senderName: null }),
      lookupRecipient: async () => ({
        email: 'ada@example.com',
        name: '<script>alert(1)</script>',
        locale: null,
      }),
    });
    await consumer.handle(event('mfa.disabled', { email: 'ada@example.com' }));
    const mail = await lastMail(smtp);
    const html = mail.html as string;
    assert.ok(!html.includes('<script>'));
    assert.ok(html.includes('Hello &lt;script&gt;alert(1)&lt;/script&gt;,'));
    assert.ok(html.includes('Acme &amp; &lt;b&gt;Co&lt;/b&gt;'));
    assert.ok(!html.includes('<b>'));
    // Without a sender name, the display name signs the mail.
    assert.equal(firstAddress(mail.from)?.name, 'Acme & <b>Co</b>');
  });

  test('a payload missing a required member is refused (the queue dead-letters it)', async () => {
    const consumer = consumerFor(mailer);
    const count = smtp.received.length;
    await assert.rejects(
      consumer.handle(event('user.password_reset_requested', { email: 'ada@example.com' })),
      /payload member "link_id" is missing/,
    );
    await assert.rejects(consumer.handle(event('mfa.disabled', {})), /payload member "email" is missing/);
    await assert.rejects(
      consumer.handle(event('user.email_changed', { email: 'new@example.com' })),
      /payload member "old_email" is missing/,
    );
    await assert.rejects(
      consumer.handle(
        event('user.password_expiry_reminder_due', { email: 'a@example.com', expires_at: 'soon' }),
      ),
      /payload member "expires_at" is missing or not a date/,
    );
    await assert.rejects(consumer.handle(event('user.created', { email: 'a@example.com' })), /no email/);
    assert.equal(smtp.received.length, count);
  });

  test('a link sealed for another link id is refused', async () => {
    const consumer = consumerFor(mailer);
    const count = smtp.received.length;
    const link = sealed('token', 'lnk-a');
    await assert.rejects(
      consumer.handle(event('user.invited', { email: 'a@example.com', ...link, link_id: 'lnk-b' })),
      /cannot be unsealed/,
    );
    assert.equal(smtp.received.length, count);
  });

  test('a tenant or user that no longer exists is skipped without an email', async () => {
    const log = memoryLog();
    const consumer = consumerFor(mailer, {}, { log });
    const count = smtp.received.length;
    await consumer.handle({ ...event('mfa.disabled', { email: 'a@example.com' }), tenant_id: 'ten-gone' });
    await consumer.handle(event('mfa.disabled', { email: 'a@example.com', user_id: 'usr-gone' }));
    assert.equal(smtp.received.length, count);
    assert.deepEqual(
      log.entries.map((e) => [e.level, e.message]),
      [
        ['debug', 'notification skipped: the tenant no longer exists'],
        ['debug', 'notification skipped: the user no longer exists'],
      ],
    );
  });
});

describe('SMTP failures reject, so the queue retries', () => {
  test('nothing listening on the port', async () => {
    const port = await deadPort();
    const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${port}`, tlsRejectUnauthorized: true });
    try {
      await assert.rejects(
        consumerFor(mailer).handle(event('mfa.disabled', { email: 'a@example.com' })),
        /ECONNREFUSED/,
      );
    } finally {
      await mailer.close?.();
    }
  });

  test('a server that accepts but never greets', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const mailer = createSmtpMailer({
      url: `smtp://127.0.0.1:${port}`,
      tlsRejectUnauthorized: true,
      greetingTimeoutMs: 200,
    });
    try {
      await assert.rejects(
        consumerFor(mailer).handle(event('mfa.disabled', { email: 'a@example.com' })),
        /greeting/i,
      );
    } finally {
      await mailer.close?.();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

test('SMTP_URL: scheme picks implicit TLS, credentials are percent-decoded', () => {
  assert.deepEqual(parseSmtpUrl('smtps://user%40example.com:p%3As%2Fs@mail.example.com'), {
    host: 'mail.example.com',
    port: undefined,
    secure: true,
    auth: { user: 'user@example.com', pass: 'p:s/s' },
  });
  assert.deepEqual(parseSmtpUrl('smtp://[::1]:2525'), {
    host: '::1',
    port: 2525,
    secure: false,
    auth: undefined,
  });
  assert.throws(() => parseSmtpUrl('not a url'), /not a valid URL/);
});

describe('STARTTLS', () => {
  let smtp: SmtpListener;
  before(async () => {
    smtp = await startSmtp({ starttls: true });
  });
  after(() => smtp.close());

  test('upgrades when the server offers it', async () => {
    // smtp-server's built-in certificate is self-signed: only a relaxed check accepts it.
    const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${smtp.port}`, tlsRejectUnauthorized: false });
    try {
      await consumerFor(mailer).handle(event('mfa.disabled', { email: 'a@example.com' }));
      assert.equal(smtp.received.at(-1)?.secure, true);
    } finally {
      await mailer.close?.();
    }
  });

  test('refuses a certificate that does not verify, rather than sending in clear', async () => {
    const count = smtp.received.length;
    const mailer = createSmtpMailer({ url: `smtp://127.0.0.1:${smtp.port}`, tlsRejectUnauthorized: true });
    try {
      await assert.rejects(
        consumerFor(mailer).handle(event('mfa.disabled', { email: 'a@example.com' })),
        /self[- ]signed|certificate/i,
      );
      assert.equal(smtp.received.length, count);
    } finally {
      await mailer.close?.();
    }
  });
});

describe('development file mailer', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-mail-'));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test('writes an .eml file and logs its path and link, nothing else', async () => {
    const log = memoryLog();
    const mailer = createFileMailer({ dataDir, log });
    await consumerFor(mailer).handle(
      event('user.password_reset_requested', { email: 'ada@example.com', ...sealed('file-token') }),
    );
    await consumerFor(mailer).handle(event('mfa.disabled', { email: 'ada@example.com' }));

    const files = await readdir(join(dataDir, 'mail'));
    assert.equal(files.length, 2);
    assert.ok(
      files.every((f) => /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z-[0-9a-f]{8}\.eml$/.test(f)),
      files.join(),
    );

    // The first log line names the reset mail's file and its link.
    const first = log.entries[0] as { fields: { file: string; links: string[] }; level: string };
    assert.equal(first.level, 'info');
    assert.ok(files.includes(first.fields.file.slice(join(dataDir, 'mail').length + 1)));
    const raw = await readFile(first.fields.file);
    assert.ok(raw.includes('\r\n'), 'CRLF line ends');
    const mail = await simpleParser(raw);
    assert.equal(firstAddress(mail.to)?.address, 'ada@example.com');
    assert.equal(mail.subject, 'Reset your Acme Corp password');
    const link = linkOf(mail);
    assert.equal(link.searchParams.get('token'), 'file-token');
    assert.deepEqual(Object.keys(first.fields).sort(), ['file', 'links']);
    assert.deepEqual(first.fields.links, [link.toString()]);
    const logged = JSON.stringify(log.entries);
    for (const secretish of ['Ada', 'ada@example.com', 'Reset your', 'Acme']) {
      assert.ok(!logged.includes(secretish), `the log does not contain ${secretish}`);
    }
  });

  test('createMailer: file mailer in development, SMTP when configured, refusal in production', async () => {
    const log = memoryLog();
    const base = { smtpUrl: '', tlsRejectUnauthorized: true, dataDir, log };
    assert.throws(
      () => createMailer({ ...base, nodeEnv: 'production' }),
      /SMTP_URL is required in production/,
    );
    const production = createMailer({
      ...base,
      nodeEnv: 'production',
      smtpUrl: 'smtps://u:p@mail.example.com',
    });
    await production.close?.();
    const development = createMailer({ ...base, nodeEnv: 'development' });
    await development.send({
      to: { address: 'x@example.com' },
      from: { name: 'Gatehouse', address: 'no-reply@example.com' },
      subject: 'hello',
      text: 'see https://example.com/a?token=1',
      html: '<p>hello</p>',
    });
    assert.deepEqual((log.entries[0]?.fields as { links?: string[] } | undefined)?.links, [
      'https://example.com/a?token=1',
    ]);
    assert.throws(
      () => createMailer({ ...base, nodeEnv: 'development', smtpUrl: 'http://mail.example.com' }),
      /must start with smtp:\/\/ or smtps:\/\//,
    );
  });
});
