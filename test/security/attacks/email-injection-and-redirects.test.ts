import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import { VARIANTS } from '../../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../../support/fixtures.ts';
import { login, startTestApp, type TestApp } from '../../support/test-app.ts';
import { call, sleep } from './attack-support.ts';

// Email header injection (CWE-93) through names and addresses that reach mail headers, host-header
// poisoning of emailed links, and open redirects. Emails are read as the development mailer writes
// them (`.eml` files under DATA_DIR/mail), after the events flowed through the app's own pipeline.

const PUBLIC_URL = 'https://iam.example.test';
const INJECTIONS = [
  'Eve\r\nBcc: attacker@evil.test',
  'Eve\nCc: attacker@evil.test',
  'Eve\rX-Injected: yes',
  'Eve\r\n\r\n<h1>body injected</h1>',
  'Eve%0d%0aBcc: attacker@evil.test',
  '"Eve" <attacker@evil.test>, victim',
];

interface Mail {
  raw: string;
  parsed: ParsedMail;
}

for (const variant of VARIANTS) {
  describe(`attack: email header injection, link poisoning and open redirects (${variant})`, () => {
    let t: TestApp;
    let acme: TenantFixture;
    const seen = new Set<string>();

    before(async () => {
      t = await startTestApp(variant, { env: { PUBLIC_URL, OUTBOX_POLL_MS: '20' } });
      acme = await createTenantWithAdmin(t, 'acme');
    });
    after(() => t.close());

    /** Waits for the next emails to `address` that this suite has not read yet. */
    async function mailTo(address: string, count = 1): Promise<Mail[]> {
      const dir = join(t.config.DATA_DIR, 'mail');
      const found: Mail[] = [];
      for (let i = 0; i < 250 && found.length < count; i++) {
        const files = (await readdir(dir).catch(() => [] as string[]))
          .filter((f) => f.endsWith('.eml'))
          .sort();
        for (const file of files) {
          if (seen.has(file)) continue;
          const raw = await readFile(join(dir, file), 'utf8');
          const parsed = await simpleParser(raw);
          const to = (Array.isArray(parsed.to) ? parsed.to : [parsed.to]).flatMap((a) => a?.value ?? []);
          if (to.some((a) => a.address?.toLowerCase() === address.toLowerCase())) {
            seen.add(file);
            found.push({ raw, parsed });
          }
        }
        if (found.length < count) await sleep(20);
      }
      assert.equal(found.length, count, `mail to ${address}`);
      return found;
    }

    /** The header block has exactly the expected recipients and no injected header; links go to PUBLIC_URL. */
    function assertClean(mail: Mail, address: string) {
      const headerBlock = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
      const names = headerBlock
        .split('\r\n')
        .filter((line) => /^[^\s:]+:/.test(line))
        .map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
      assert.ok(!names.includes('bcc'), `no Bcc header:\n${headerBlock}`);
      assert.ok(!names.includes('cc'), `no Cc header:\n${headerBlock}`);
      assert.ok(!names.includes('x-injected'), `no injected header:\n${headerBlock}`);
      assert.equal(names.filter((n) => n === 'to').length, 1);
      const to = (Array.isArray(mail.parsed.to) ? mail.parsed.to : [mail.parsed.to]).flatMap(
        (a) => a?.value ?? [],
      );
      assert.deepEqual(
        to.map((a) => a.address?.toLowerCase()),
        [address.toLowerCase()],
        'exactly the one recipient',
      );
      assert.doesNotMatch(String(mail.parsed.html), /<h1>body injected<\/h1>/);
      const urls = [
        ...(mail.parsed.text ?? '').matchAll(/https?:\/\/[^\s<>"')]+/g),
        ...String(mail.parsed.html).matchAll(/href="([^"]+)"/g),
      ].map((m) => m[1] ?? m[0]);
      assert.ok(urls.length > 0, 'the mail has links');
      for (const url of urls) assert.ok(url.startsWith(`${PUBLIC_URL}/t/acme/`), `link ${url}`);
    }

    test('CR/LF in a registering name never adds a mail header or a recipient', async () => {
      for (const [i, name] of INJECTIONS.entries()) {
        const email = `reg-${i}@acme.test`;
        const res = await call(t, 'POST', '/t/acme/v1/auth/register', {
          payload: { email, password: 'a long and uncommon passphrase', name },
        });
        assert.ok(
          res.statusCode === 202 || res.statusCode === 422,
          `${JSON.stringify(name)}: ${res.statusCode}`,
        );
        if (res.statusCode === 202) for (const mail of await mailTo(email)) assertClean(mail, email);
      }
    });

    test('CR/LF in an address is refused before anything is sent', async () => {
      const dir = join(t.config.DATA_DIR, 'mail');
      const before = new Set(await readdir(dir).catch(() => [] as string[]));
      for (const email of [
        'victim@acme.test\r\nBcc: attacker@evil.test',
        'victim@acme.test\nBcc: attacker@evil.test',
        'victim@acme.test,attacker@evil.test',
        'victim@acme.test>\r\nBcc: <attacker@evil.test',
        '"victim\r\nBcc: attacker@evil.test"@acme.test',
      ]) {
        for (const path of ['register', 'password/forgot', 'verify-email/resend']) {
          const res = await call(t, 'POST', `/t/acme/v1/auth/${path}`, {
            payload: {
              email,
              ...(path === 'register' ? { password: 'a long and uncommon passphrase' } : {}),
            },
          });
          // forgot and resend answer 202 before looking: what matters is that nothing is sent.
          assert.ok(
            [202, 422].includes(res.statusCode),
            `${path} ${JSON.stringify(email)}: ${res.statusCode}`,
          );
        }
        const user = await call(t, 'POST', '/t/acme/v1/users', {
          token: acme.adminToken,
          payload: { email },
        });
        assert.equal(user.statusCode, 422, `${JSON.stringify(email)}: ${user.body}`);
      }
      await sleep(300);
      const sent = (await readdir(dir).catch(() => [] as string[])).filter((f) => !before.has(f));
      assert.deepEqual(sent, [], 'no email went anywhere');
    });

    test('CR/LF in a profile name, the sender name and the tenant name stay inside their header', async () => {
      const user = await createUser(t, acme.id, { roles: ['user'] });
      const token = await login(t.app, 'acme', user.email, user.password);
      const patched = await call(t, 'PATCH', '/t/acme/v1/me', { token, payload: { name: INJECTIONS[0] } });
      assert.ok(patched.statusCode === 200 || patched.statusCode === 422, patched.body);
      const sender = await call(t, 'PATCH', '/t/acme/v1/settings', {
        token: acme.adminToken,
        payload: { email: { sender_name: 'Acme\r\nBcc: attacker@evil.test' } },
      });
      assert.ok(sender.statusCode === 200 || sender.statusCode === 422, sender.body);
      const renamed = await call(t, 'PATCH', '/v1/tenants/acme', {
        token: await t.adminToken(),
        payload: { display_name: 'Acme\r\nBcc: attacker@evil.test' },
      });
      assert.ok(renamed.statusCode === 200 || renamed.statusCode === 422, renamed.body);
      assert.equal(
        (await call(t, 'POST', '/t/acme/v1/auth/password/forgot', { payload: { email: user.email } }))
          .statusCode,
        202,
      );
      const [mail] = await mailTo(user.email);
      assertClean(mail!, user.email);
      assert.doesNotMatch(String(mail!.parsed.subject), /[\r\n]/);
    });

    test('emailed links use PUBLIC_URL whatever Host or forwarding headers the request carried', async () => {
      const user = await createUser(t, acme.id);
      const res = await call(t, 'POST', '/t/acme/v1/auth/password/forgot', {
        payload: { email: user.email },
        headers: {
          host: 'evil.test',
          'x-forwarded-host': 'evil.test',
          'x-forwarded-proto': 'http',
          forwarded: 'host=evil.test;proto=http',
          origin: 'https://evil.test',
          referer: 'https://evil.test/phish',
        },
      });
      assert.equal(res.statusCode, 202);
      const [mail] = await mailTo(user.email);
      assertClean(mail!, user.email);
      assert.doesNotMatch(mail!.parsed.text ?? '', /https?:\/\/evil\.test/);
      assert.doesNotMatch(String(mail!.parsed.html), /https?:\/\/evil\.test/);
    });

    test('no route answers a redirect to an attacker-supplied URL', async () => {
      const evil = ['https://evil.test/x', '//evil.test/x', '/\\evil.test', 'javascript:alert(1)'];
      const user = await createUser(t, acme.id);
      const requests: { method: 'GET' | 'POST'; url: string; payload?: object }[] = [];
      for (const target of evil) {
        const q = new URLSearchParams({ return_to: target, redirect_uri: target, next: target, url: target });
        requests.push(
          {
            method: 'POST',
            url: `/t/acme/v1/auth/login?${q}`,
            payload: { email: user.email, password: user.password },
          },
          {
            method: 'POST',
            url: `/t/acme/v1/auth/login?${q}`,
            payload: { email: user.email, password: 'wrong' },
          },
          {
            method: 'POST',
            url: `/t/acme/v1/auth/register?${q}`,
            payload: { email: 'r@acme.test', password: 'x' },
          },
          { method: 'POST', url: `/t/acme/v1/auth/password/forgot?${q}`, payload: { email: user.email } },
          { method: 'POST', url: `/t/acme/v1/auth/verify-email?${q}`, payload: { token: 'x' } },
          {
            method: 'POST',
            url: `/t/acme/v1/auth/mfa/verify?${q}`,
            payload: { mfa_token: 'x', code: '123456' },
          },
          { method: 'GET', url: `/t/acme/.well-known/openid-configuration?${q}` },
          { method: 'GET', url: `/docs?${q}` },
          { method: 'GET', url: `/docs/?${q}` },
        );
      }
      for (const path of [
        '//evil.test',
        '//evil.test/',
        '/docs//evil.test',
        '/%2F%2Fevil.test',
        '/docs/%2F%2Fevil.test',
        '/\\evil.test',
      ]) {
        requests.push({ method: 'GET', url: path });
      }
      for (const r of requests) {
        const res = await t.app.inject({
          method: r.method,
          url: r.url,
          ...(r.payload ? { payload: r.payload } : {}),
        });
        assert.ok(res.statusCode < 500, `${r.method} ${r.url}: ${res.statusCode}`);
        if (res.statusCode >= 300 && res.statusCode < 400) {
          const location = String(res.headers.location);
          assert.ok(
            location.startsWith('/') && !location.startsWith('//') && !location.startsWith('/\\'),
            `${r.method} ${r.url} redirects to ${location}`,
          );
          assert.doesNotMatch(location, /evil|javascript:/i, `${r.url} → ${location}`);
        }
      }
    });
  });
}
