import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { simpleParser } from 'mailparser';
import { Secret } from 'otpauth';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { timeStep, totpCode } from '../../src/mfa/totp.ts';
import { BROWSER_USER_AGENT } from '../support/browser.ts';
import { type ScratchDatabase, scratchDatabase } from '../support/databases.ts';
import { freePort, type Started, startMain, waitForOk } from '../support/process.ts';

// The hosted pages in a real browser (Debian's Chromium, driven by playwright-core) against the
// real server process: no script on the pages, so this is forms, cookies, redirects and the CSP.

const CHROMIUM = '/usr/bin/chromium';
const ADMIN_EMAIL = 'ops@example.test';
const ADMIN_PASSWORD = 'a long operator passphrase';

const skipReason = existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`;

describe('hosted pages in Chromium', { skip: skipReason }, () => {
  let server: Started | undefined;
  let scratch: ScratchDatabase | undefined;
  let context: BrowserContext | undefined;
  let base = '';
  let dataDir = '';
  let profile = '';
  let notWired: string | false = false;

  before(async () => {
    scratch = await scratchDatabase('sqlite');
    dataDir = scratch.env.DATA_DIR!;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = startMain({
      ...scratch.env,
      PORT: String(port),
      PUBLIC_URL: base,
      GATEHOUSE_ADMIN_EMAIL: ADMIN_EMAIL,
      GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_ITERATIONS: '1',
      RATE_LIMIT_ENABLED: 'false',
      JOBS_ENABLED: 'false',
    });
    await waitForOk(`${base}/readyz`);
    if ((await fetch(`${base}/t/platform/sign-in`)).status === 404) {
      notWired = 'the pages are not registered in src/app.ts yet (GET /t/platform/sign-in is 404)';
      return;
    }
    profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      // Headless Chromium names itself HeadlessChrome, which the bot filter refuses, as it should.
      userAgent: BROWSER_USER_AGENT,
    });
  });

  after(async () => {
    await context?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
    await scratch?.drop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** A fresh page with no cookies from the tests before, failing on any CSP violation it reports. */
  async function freshPage(t: { skip(reason: string): void }): Promise<Page | undefined> {
    if (notWired) {
      t.skip(notWired);
      return undefined;
    }
    await context!.clearCookies();
    const page = await context!.newPage();
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) assert.fail(`CSP violation: ${message.text()}`);
    });
    return page;
  }

  async function signIn(page: Page, email: string, password: string) {
    await page.goto(`${base}/t/platform/sign-in`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
  }

  async function register(page: Page, email: string, password: string) {
    await page.goto(`${base}/t/platform/register`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=name]', 'Pat Example');
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Check your email');
  }

  /** The newest link of `kind` the development mailer wrote for `email` (waits for the outbox relay). */
  async function linkFromMail(email: string, kind: string): Promise<string> {
    const dir = join(dataDir, 'mail');
    for (let i = 0; i < 150; i++) {
      const files = existsSync(dir) ? readdirSync(dir).sort().reverse() : [];
      for (const file of files) {
        const mail = await simpleParser(readFileSync(join(dir, file)));
        const to = JSON.stringify(mail.to ?? '');
        const found = mail.text?.match(new RegExp(`https?://\\S+/${kind}\\?token=[\\w-]+`));
        if (to.includes(email) && found) return found[0];
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${kind} email for ${email}`);
  }

  test('sign in with a password, see the account, sign out', async (t) => {
    const page = await freshPage(t);
    if (!page) return;
    await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.waitForURL(`${base}/t/platform/account`);
    assert.ok((await page.textContent('main'))?.includes(ADMIN_EMAIL));
    const cookies = await context!.cookies(base);
    const session = cookies.find((c) => c.name === 'gh_page_platform');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(session?.sameSite, 'Lax');
    // The stylesheet loaded under the page CSP.
    const color = await page.evaluate("getComputedStyle(document.querySelector('button')).backgroundColor");
    assert.notEqual(color, 'rgba(0, 0, 0, 0)');
    await page.click('text=Sign out');
    await page.waitForURL(`${base}/t/platform/sign-in`);
    await page.goto(`${base}/t/platform/account`);
    await page.waitForURL(`${base}/t/platform/sign-in`);
    await page.close();
  });

  test('a wrong password shows the generic message and keeps the form', async (t) => {
    const page = await freshPage(t);
    if (!page) return;
    await signIn(page, ADMIN_EMAIL, 'not the password at all');
    assert.equal(await page.textContent('.error'), 'The email or password is incorrect.');
    assert.equal(await page.inputValue('input[name=email]'), ADMIN_EMAIL);
    await page.close();
  });

  test('register, verify the email from its link, then sign in with TOTP', async (t) => {
    const page = await freshPage(t);
    if (!page) return;
    const email = 'totp-user@example.test';
    const password = 'totp user passphrase 42';
    await register(page, email, password);

    // The verification link: opening it spends nothing, the button does.
    await page.goto(await linkFromMail(email, 'verify-email'));
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Your email address is confirmed.');

    // Enrol TOTP through the API, as an authenticator app would be set up. A self-registered user
    // holds no role yet; the operator gives it the system role `user` (self:update) first.
    const api = (method: string, path: string, init: { token?: string; body?: unknown } = {}) =>
      fetch(`${base}/t/platform${path}`, {
        method,
        headers: {
          'user-agent': BROWSER_USER_AGENT,
          ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    const json = async <T>(res: Response): Promise<T> => {
      assert.ok(res.ok, `${res.status} ${await res.clone().text()}`);
      return (await res.json()) as T;
    };
    const admin = (
      await json<{ access_token: string }>(
        await api('POST', '/v1/auth/login', { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } }),
      )
    ).access_token;
    const roles = await json<{ items: { id: string; name: string }[] }>(
      await api('GET', '/v1/roles?limit=200', { token: admin }),
    );
    const users = await json<{ items: { id: string }[] }>(
      await api('GET', `/v1/users?email=${encodeURIComponent(email)}`, { token: admin }),
    );
    const role = roles.items.find((r) => r.name === 'user')!;
    const granted = await api('PUT', `/v1/users/${users.items[0]!.id}/roles/${role.id}`, { token: admin });
    assert.ok(granted.ok, await granted.text());
    const token = (
      await json<{ access_token: string }>(await api('POST', '/v1/auth/login', { body: { email, password } }))
    ).access_token;
    const started = await json<{ secret: string }>(await api('POST', '/v1/me/mfa/totp', { token, body: {} }));
    const secret = Buffer.from(Secret.fromBase32(started.secret).bytes);
    const code = totpCode(secret, timeStep(Date.now()));
    await json(await api('POST', '/v1/me/mfa/totp/confirm', { token, body: { code } }));

    await signIn(page, email, password);
    await page.waitForSelector('input[name=code]');
    await page.fill('input[name=code]', '000000');
    await page.click('form[action=two-factor] >> nth=0 >> button');
    assert.equal(await page.textContent('.error'), 'The code is wrong, expired or was already used.');
    // The next step's code: the current one was spent confirming, and the window admits one step ahead.
    await page.fill('input[name=code]', totpCode(secret, timeStep(Date.now()) + 1));
    await page.click('form[action=two-factor] >> nth=0 >> button');
    await page.waitForURL(`${base}/t/platform/account`);
    assert.ok((await page.textContent('main'))?.includes(email));
    await page.close();
  });

  test('forgot password, reset from the emailed link, sign in with the new password', async (t) => {
    const page = await freshPage(t);
    if (!page) return;
    const email = 'forgetful@example.test';
    await register(page, email, 'the first passphrase here');
    await page.goto(`${base}/t/platform/forgot-password`);
    await page.fill('input[name=email]', email);
    await page.click('button[type=submit]');
    await page.waitForSelector('text=If an account uses that address');

    await page.goto(await linkFromMail(email, 'reset-password'));
    await page.fill('input[name=password]', 'the second passphrase now');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Your password was changed');

    await signIn(page, email, 'the first passphrase here');
    assert.equal(await page.textContent('.error'), 'The email or password is incorrect.');
    await signIn(page, email, 'the second passphrase now');
    await page.waitForURL(`${base}/t/platform/account`);
    await page.close();
  });
});
