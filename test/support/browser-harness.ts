import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { BROWSER_USER_AGENT } from './browser.ts';
import { type ScratchDatabase, scratchDatabase } from './databases.ts';
import { requestJson } from './http-client.ts';
import { freePort, type Started, startMain, waitForOk } from './process.ts';
import { type SmtpListener, startSmtp } from './smtp.ts';

// Pages in a real browser (Debian's Chromium, driven by playwright-core) against the real server
// process, which sends its mail to a real SMTP listener. Screenshots go under test-artifacts/
// (git-ignored), one folder per suite.

const CHROMIUM = '/usr/bin/chromium';
export const ADMIN_EMAIL = 'ops@example.test';
export const ADMIN_PASSWORD = 'a long operator passphrase';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts');

export const skipReason = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is not installed (apt-get install chromium)`;

export interface Harness {
  base: string;
  smtp: SmtpListener;
  context: BrowserContext;
  close(): Promise<void>;
}

/** The server (with `env` on top of the defaults here), its SMTP listener and a browser. */
export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const scratch: ScratchDatabase = await scratchDatabase('sqlite');
  const smtp = await startSmtp();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server: Started = startMain({
    ...scratch.env,
    PORT: String(port),
    PUBLIC_URL: base,
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    GATEHOUSE_ADMIN_EMAIL: ADMIN_EMAIL,
    GATEHOUSE_ADMIN_PASSWORD: ADMIN_PASSWORD,
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_ITERATIONS: '1',
    // A fifth of the default difficulty: the widget's work, not its length, is under test.
    ALTCHA_MAX_NUMBER: '20000',
    RATE_LIMIT_ENABLED: 'false',
    JOBS_ENABLED: 'false',
    ...env,
  });
  // Whatever fails from here on must not leave the server running (it would keep the run alive).
  const stopServer = async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await smtp.close();
    await scratch.drop();
  };
  const profile = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));
  let context: BrowserContext;
  try {
    // Up to 30 s: the first start migrates a fresh database, on a machine that may be busy.
    await waitForOk(`${base}/readyz`, 300);
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
      viewport: { width: 800, height: 900 },
    });
  } catch (error) {
    await stopServer();
    rmSync(profile, { recursive: true, force: true });
    throw new Error(`the browser harness did not start:\n${server.output()}`, { cause: error });
  }
  return {
    base,
    smtp,
    context,
    async close() {
      await context.close();
      await stopServer();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A fresh page with no cookies from the tests before; a CSP violation or a script error fails the test. */
export async function freshPage(h: Harness): Promise<Page> {
  await h.context.clearCookies();
  const page = await h.context.newPage();
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) assert.fail(`CSP violation: ${message.text()}`);
  });
  page.on('pageerror', (error) => assert.fail(`script error: ${error.message}`));
  return page;
}

/** `shot(page, name)` saves the whole page as test-artifacts/<folder>/<name>.png. */
export function screenshotter(folder: string) {
  const dir = join(ARTIFACTS, folder);
  mkdirSync(dir, { recursive: true });
  return (page: Page, name: string) => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

export async function signIn(page: Page, base: string, slug: string, email: string, password: string) {
  await page.goto(`${base}/t/${slug}/sign-in`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', password);
  await page.click('form[action=sign-in] button[type=submit]');
}

/** The newest link to `/t/{slug}/{page}?token=…` that the SMTP listener received for `email`. */
export async function linkFromMail(h: Harness, email: string, page: string): Promise<string> {
  const pattern = new RegExp(`https?://\\S+/${page}\\?token=[\\w-]+`);
  for (let i = 0; i < 150; i++) {
    for (const message of [...h.smtp.received].reverse()) {
      if (!message.rcpt.includes(email)) continue;
      const found = (await simpleParser(message.raw)).text?.match(pattern);
      if (found) return found[0];
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${page} email for ${email}`);
}

/** The API, as a program (the operator's script) calls it. */
export function api(h: Harness) {
  let adminToken: string | undefined;
  async function call(method: string, path: string, init: { token?: string; body?: unknown } = {}) {
    const answer = await requestJson(h.base, method, path, init);
    assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body ?? {};
  }
  async function admin() {
    const body = { email: ADMIN_EMAIL, password: ADMIN_PASSWORD };
    adminToken ??= String((await call('POST', '/t/platform/v1/auth/login', { body })).access_token);
    return adminToken;
  }
  /** Gives a user of `slug` the system role `user` (self-service), as an operator would. */
  async function grantSelfService(slug: string, email: string) {
    const token = await admin();
    const roles = (await call('GET', `/t/${slug}/v1/roles?limit=200`, { token })).items as {
      id: string;
      name: string;
    }[];
    const users = (await call('GET', `/t/${slug}/v1/users?email=${encodeURIComponent(email)}`, { token }))
      .items as { id: string }[];
    const role = roles.find((r) => r.name === 'user')!;
    await call('PUT', `/t/${slug}/v1/users/${users[0]!.id}/roles/${role.id}`, { token });
  }
  return {
    /** A user of `slug` with self-service: verified with a password, or invited (emailed a link). */
    async createUser(slug: string, email: string, password?: string) {
      await call('POST', `/t/${slug}/v1/users`, {
        token: await admin(),
        body: password ? { email, password, email_verified: true } : { email },
      });
      await grantSelfService(slug, email);
    },
    /**
     * A tenant with these top-level settings (`mfa`, …), returned once its pages see them: the tenant
     * directory of the server picks changes up on its own, shortly after.
     */
    async createTenant(slug: string, settings: Record<string, string | number | boolean>) {
      const token = await admin();
      await call('POST', '/v1/tenants', { token, body: { slug, display_name: `${slug} Inc.` } });
      await call('PATCH', `/t/${slug}/v1/settings`, { token, body: settings });
      for (let i = 0; i < 50; i++) {
        const effective = await call('GET', `/t/${slug}/v1/settings`, { token });
        if (Object.entries(settings).every(([key, value]) => effective[key] === value)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`the settings of ${slug} never took effect`);
    },
    /** A session of `email` started through the API (another device). */
    login: async (slug: string, email: string, password: string) =>
      call('POST', `/t/${slug}/v1/auth/login`, { body: { email, password } }),
  };
}
