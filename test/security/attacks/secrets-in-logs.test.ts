import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { simpleParser } from 'mailparser';
import { Secret } from 'otpauth';
import { timeStep, totpCode } from '../../../src/mfa/totp.ts';
import { loadKeyEncryptionKey } from '../../../src/tokens/index.ts';
import { VARIANTS } from '../../support/databases.ts';
import { createTenantWithAdmin, createUser, type TenantFixture } from '../../support/fixtures.ts';
import { type SmtpListener, startSmtp } from '../../support/smtp.ts';
import { startTestApp, type TestApp } from '../../support/test-app.ts';
import { sleep } from './attack-support.ts';

// Secrets never reach the logs or an error body (OWASP ASVS V16 logging, V14 data protection): a
// representative set of flows runs at LOG_LEVEL=trace, then every log line the app wrote and every
// error body it answered is searched for each password, token, code and secret the flows used.
// Mail goes over SMTP (the production path); the development file mailer logs emailed links on purpose.

const USER_PASSWORD = 'Original secret passphrase 1';
const NEW_PASSWORD = 'Replacement secret passphrase 2';
const WRONG_PASSWORD = 'Typo of the secret passphrase 3';

for (const variant of VARIANTS) {
  describe(`attack: secrets in logs and error bodies (${variant})`, () => {
    let t: TestApp;
    let smtp: SmtpListener;
    let hooks: Server;
    let hookUrl: string;
    let deliveries = 0;
    let acme: TenantFixture;
    let nowMs = (timeStep(Date.now()) + 1) * 30_000 + 5_000;
    const secrets = new Map<string, string>();
    const errorBodies: string[] = [];
    const keep = (what: string, value: unknown) => {
      assert.equal(typeof value, 'string', what);
      secrets.set(what, value as string);
      return value as string;
    };

    before(async () => {
      smtp = await startSmtp();
      hooks = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          deliveries++;
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
      hookUrl = `http://127.0.0.1:${(hooks.address() as { port: number }).port}/hook`;
      t = await startTestApp(variant, {
        clock: { now: () => new Date(nowMs) },
        env: {
          LOG_LEVEL: 'trace',
          SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
          WEBHOOK_ALLOW_INSECURE: 'true',
          OUTBOX_POLL_MS: '20',
        },
      });
      acme = await createTenantWithAdmin(t, 'acme');
      keep('tenant admin password', acme.adminPassword);
      keep('tenant admin access token', acme.adminToken);
      keep(
        'key-encryption key',
        loadKeyEncryptionKey(t.config.KEY_ENCRYPTION_SECRET, t.config.DATA_DIR).toString('base64'),
      );
    });
    after(async () => {
      await t.close();
      await smtp.close();
      await new Promise<void>((resolve) => hooks.close(() => resolve()));
    });

    /** Every request goes through here: error bodies are kept for the scan. */
    async function send(
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      options: { token?: string; payload?: object | string; headers?: Record<string, string> } = {},
    ): Promise<LightMyRequestResponse> {
      const res = await t.app.inject({
        method,
        url,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        ...(options.payload !== undefined ? { payload: options.payload } : {}),
      });
      if (res.statusCode >= 400) errorBodies.push(res.body);
      return res;
    }
    const form = (fields: Record<string, string>) => ({
      payload: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const code = (secret: Buffer, delta = 0) => totpCode(secret, timeStep(nowMs) + delta);

    test('sign-in, refresh, MFA, password reset, clients and webhooks leave no secret behind', async () => {
      const user = await createUser(t, acme.id, { roles: ['user'], password: USER_PASSWORD });
      keep('user password', USER_PASSWORD);
      keep('wrong password', WRONG_PASSWORD);

      // Sign-in: a failure, then success; refresh (and a replay of the spent token).
      await send('POST', '/t/acme/v1/auth/login', {
        payload: { email: user.email, password: WRONG_PASSWORD },
      });
      const signedIn = (
        await send('POST', '/t/acme/v1/auth/login', {
          payload: { email: user.email, password: USER_PASSWORD },
        })
      ).json();
      const access = keep('access token', signedIn.access_token);
      const refresh = keep('refresh token', signedIn.refresh_token);
      const rotated = await send(
        'POST',
        '/t/acme/oauth/token',
        form({ grant_type: 'refresh_token', refresh_token: refresh }),
      );
      keep('rotated refresh token', rotated.json().refresh_token);
      keep('rotated access token', rotated.json().access_token);
      await send(
        'POST',
        '/t/acme/oauth/token',
        form({ grant_type: 'refresh_token', refresh_token: refresh }),
      );
      // A token in a query string (some clients do that) and in a refused header.
      await send('GET', `/t/acme/v1/me?access_token=${access}&token=${refresh}`, { token: access });
      await send('GET', '/t/acme/v1/me', { headers: { authorization: `Basic ${access}` } });

      // MFA enrolment and sign-in with a code, a wrong code and a recovery code.
      const token = (
        await send('POST', '/t/acme/v1/auth/login', {
          payload: { email: user.email, password: USER_PASSWORD },
        })
      ).json().access_token as string;
      keep('second access token', token);
      const started = (await send('POST', '/t/acme/v1/me/mfa/totp', { token })).json();
      keep('TOTP secret', started.secret);
      keep('otpauth URI secret', new URL(started.otpauth_uri).searchParams.get('secret'));
      const secret = Buffer.from(Secret.fromBase32(started.secret).bytes);
      const confirm = await send('POST', '/t/acme/v1/me/mfa/totp/confirm', {
        token,
        payload: { code: keep('enrolment code', code(secret)) },
      });
      const recovery = confirm.json().recovery_codes as string[];
      for (const [i, rc] of recovery.entries()) keep(`recovery code ${i}`, rc);
      nowMs += 30_000;
      const challenge = (
        await send('POST', '/t/acme/v1/auth/login', {
          payload: { email: user.email, password: USER_PASSWORD },
        })
      ).json();
      keep('mfa_token', challenge.mfa_token);
      const wrongCode = code(secret, 5);
      keep('wrong TOTP code', wrongCode);
      await send('POST', '/t/acme/v1/auth/mfa/verify', {
        payload: { mfa_token: challenge.mfa_token, code: wrongCode },
      });
      const verified = await send('POST', '/t/acme/v1/auth/mfa/verify', {
        payload: { mfa_token: challenge.mfa_token, code: keep('sign-in code', code(secret)) },
      });
      assert.equal(verified.statusCode, 200, verified.body);
      keep('MFA access token', verified.json().access_token);
      keep('MFA refresh token', verified.json().refresh_token);
      const second = (
        await send('POST', '/t/acme/v1/auth/login', {
          payload: { email: user.email, password: USER_PASSWORD },
        })
      ).json();
      await send('POST', '/t/acme/v1/auth/mfa/verify', {
        payload: { mfa_token: second.mfa_token, recovery_code: recovery[0] },
      });
      await send('POST', '/t/acme/v1/auth/mfa/verify', {
        payload: { mfa_token: second.mfa_token, recovery_code: recovery[0] },
      });
      await send('POST', '/t/acme/v1/auth/mfa/verify', {
        payload: {
          mfa_token: keep('guessed mfa_token', 'guessed-mfa-token-0123456789abcdef'),
          code: '000000',
        },
      });

      // Password reset through the emailed link, over SMTP; a reused link.
      const before = smtp.received.length;
      await send('POST', '/t/acme/v1/auth/password/forgot', { payload: { email: user.email } });
      let link: RegExpExecArray | null | undefined;
      for (let i = 0; i < 250 && !link; i++) {
        const mails = await Promise.all(smtp.received.slice(before).map((m) => simpleParser(m.raw)));
        link = mails.map((m) => /reset-password\?token=([\w-]+)/.exec(m.text ?? '')).find(Boolean);
        if (!link) await sleep(20);
      }
      assert.ok(link, 'the reset mail arrived');
      const resetToken = keep('reset token', link[1]);
      await send('POST', '/t/acme/v1/auth/password/reset', {
        payload: { token: resetToken, password: 'short' },
      });
      const reset = await send('POST', '/t/acme/v1/auth/password/reset', {
        payload: { token: resetToken, password: keep('new password', NEW_PASSWORD) },
      });
      assert.equal(reset.statusCode, 204, reset.body);
      await send('POST', '/t/acme/v1/auth/password/reset', {
        payload: { token: resetToken, password: NEW_PASSWORD },
      });
      await send('POST', '/t/acme/v1/me/password', {
        token: acme.adminToken,
        payload: {
          current_password: WRONG_PASSWORD,
          new_password: keep('refused new password', 'Refused secret passphrase 4'),
        },
      });

      // A service client: creation, tokens by both methods, a wrong secret, rotation.
      const client = (
        await send('POST', '/t/acme/v1/clients', {
          token: acme.adminToken,
          payload: { name: 'svc', permissions: ['user:read'] },
        })
      ).json();
      const clientSecret = keep('client secret', client.client_secret);
      const basic = (s: string) => ({
        authorization: `Basic ${Buffer.from(`${client.client_id}:${s}`).toString('base64')}`,
      });
      const cc = form({ grant_type: 'client_credentials' });
      const clientToken = await send('POST', '/t/acme/oauth/token', {
        ...cc,
        headers: { ...cc.headers, ...basic(clientSecret) },
      });
      keep('client access token', clientToken.json().access_token);
      await send(
        'POST',
        '/t/acme/oauth/token',
        form({ grant_type: 'client_credentials', client_id: client.client_id, client_secret: clientSecret }),
      );
      await send('POST', '/t/acme/oauth/token', {
        ...cc,
        headers: { ...cc.headers, ...basic(keep('wrong client secret', 'not-the-client-secret-0123456789')) },
      });
      const rotatedSecret = await send('POST', `/t/acme/v1/clients/${client.id}/secret`, {
        token: acme.adminToken,
        payload: {},
      });
      keep('rotated client secret', rotatedSecret.json().client_secret);
      await send('POST', '/t/acme/oauth/introspect', {
        ...form({ token: access }),
        headers: { ...form({}).headers, ...basic(clientSecret) },
      });

      // A webhook: creation (its secret), deliveries signed with it, a rotation.
      const hook = (
        await send('POST', '/t/acme/v1/webhooks', {
          token: acme.adminToken,
          payload: { url: hookUrl, event_types: ['*'] },
        })
      ).json();
      keep('webhook secret', hook.secret);
      await send('PATCH', '/t/acme/v1/me', {
        token: acme.adminToken,
        payload: { name: 'Trigger a delivery' },
      });
      keep(
        'rotated webhook secret',
        (
          await send('POST', `/t/acme/v1/webhooks/${hook.id}/rotate-secret`, {
            token: acme.adminToken,
            payload: {},
          })
        ).json().secret,
      );
      for (let i = 0; i < 100 && deliveries === 0; i++) await sleep(20);
      assert.ok(deliveries > 0, 'a webhook was delivered (signed with its secret)');

      const logs = t.logs.join('\n');
      assert.ok(logs.length > 10_000, 'the app logged');
      const errors = errorBodies.join('\n');
      assert.ok(errorBodies.length >= 8, 'the flows met errors');
      const leaks: string[] = [];
      for (const [what, value] of secrets) {
        const forms = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
        for (const form of forms) {
          // Six-digit codes: only as a whole number, not inside a longer one (timestamps, ids).
          const found = (text: string) =>
            /^\d{6}$/.test(form) ? new RegExp(`(?<![0-9])${form}(?![0-9])`).test(text) : text.includes(form);
          if (found(logs)) leaks.push(`${what} in the logs`);
          if (found(errors)) leaks.push(`${what} in an error body`);
        }
      }
      assert.deepEqual(leaks, []);
    });
  });
}
