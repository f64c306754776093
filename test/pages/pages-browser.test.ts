import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  freshPage,
  type Harness,
  linkFromMail,
  screenshotter,
  signIn,
  skipReason,
  startHarness,
} from '../support/browser-harness.ts';
import { codeFor } from './page-client.ts';

// The journey in Chromium, no script on these pages: register, verify from the email the
// SMTP listener received, enrol TOTP from the key on the page, sign out, sign in with password and
// code, turn the factor off; forgot password through its email; an open redirect refused; keyboard only.

const screenshot = screenshotter('pages');

describe('hosted pages in Chromium', { skip: skipReason }, () => {
  let h: Harness;
  let base = '';
  before(async () => {
    h = await startHarness();
    base = h.base;
  });
  after(() => h?.close());

  async function register(page: Page, email: string, password: string) {
    await page.goto(`${base}/t/platform/register`);
    await page.fill('input[name=email]', email);
    await page.fill('input[name=name]', 'Pat Example');
    await page.fill('input[name=password]', password);
    await screenshot(page, 'register');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Check your email');
  }

  test('sign in with a password, see the account, sign out', async () => {
    const page = await freshPage(h);
    await signIn(page, base, 'platform', ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.waitForURL(`${base}/t/platform/account`);
    assert.ok((await page.textContent('main'))?.includes(ADMIN_EMAIL));
    const cookies = await h.context.cookies(base);
    const session = cookies.find((c) => c.name === 'gh_page_platform');
    assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
    assert.equal(session?.sameSite, 'Lax');
    // The stylesheet loaded under the page CSP.
    const color = await page.evaluate(
      "getComputedStyle(document.querySelector('form[action=sign-out] button')).backgroundColor",
    );
    assert.notEqual(color, 'rgba(0, 0, 0, 0)');
    await page.click('form[action=sign-out] button');
    await page.waitForURL(`${base}/t/platform/sign-in`);
    await page.goto(`${base}/t/platform/account`);
    await page.waitForURL(`${base}/t/platform/sign-in`);
    await page.close();
  });

  test('keyboard only: tab through the sign-in form, a wrong password keeps the address', async () => {
    const page = await freshPage(h);
    await page.goto(`${base}/t/platform/sign-in`);
    await screenshot(page, 'sign-in');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.name'), 'email');
    await page.keyboard.type(ADMIN_EMAIL);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate('document.activeElement.name'), 'password');
    await page.keyboard.type('not the password at all');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.error');
    assert.equal(await page.textContent('.error'), 'The email or password is incorrect.');
    assert.equal(await page.inputValue('input[name=email]'), ADMIN_EMAIL);
    await screenshot(page, 'sign-in-error');
    await page.close();
  });

  test('register, verify from the email, enrol TOTP on the page, sign in with the code, turn it off', async () => {
    const page = await freshPage(h);
    const email = 'totp-user@example.test';
    const password = 'totp user passphrase 42';
    await register(page, email, password);
    await screenshot(page, 'register-check-email');

    // The verification link from the email: opening it spends nothing, the button does.
    await page.goto(await linkFromMail(h, email, 'verify-email'));
    await screenshot(page, 'verify-email');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Your email address is confirmed.');
    await screenshot(page, 'verify-email-done');

    // Registering gave the system role `user`: the account page is theirs to use.
    await signIn(page, base, 'platform', email, password);
    await page.waitForURL(`${base}/t/platform/account`);
    await screenshot(page, 'account');
    await page.click('text=Set up an authenticator app');
    await page.waitForURL(`${base}/t/platform/mfa-setup`);
    await screenshot(page, 'mfa-setup');
    await page.click('text=Show the QR code');
    await page.waitForSelector('img.qr');
    assert.ok(await page.evaluate("document.querySelector('img.qr').naturalWidth > 0"), 'the QR code shows');
    await screenshot(page, 'mfa-scan');
    const secret = (await page.textContent('code.secret'))!;
    await page.fill('input[name=code]', codeFor(secret));
    await page.click('text=Turn on two-step verification');
    await page.waitForSelector('ol.codes');
    const codes = await page.$$eval('ol.codes code', (nodes) => nodes.map((n) => n.textContent ?? ''));
    assert.equal(codes.length, 10);
    await screenshot(page, 'mfa-recovery-codes');
    await page.click('text=I have saved them');
    await page.waitForURL(`${base}/t/platform/account`);
    assert.match((await page.textContent('main'))!, /Two-step verification is on/);

    await page.click('form[action=sign-out] >> text=Sign out');
    await page.waitForURL(`${base}/t/platform/sign-in`);
    await signIn(page, base, 'platform', email, password);
    await page.waitForSelector('input[name=code]');
    await screenshot(page, 'two-factor');
    await page.fill('input[name=code]', '000000');
    await page.click('form[action=two-factor] >> nth=0 >> button');
    assert.equal(await page.textContent('.error'), 'The code is wrong, expired or was already used.');
    // The next step's code: the current one was spent confirming, and the window admits one step ahead.
    await page.fill('input[name=code]', codeFor(secret, 1));
    await page.click('form[action=two-factor] >> nth=0 >> button');
    await page.waitForURL(`${base}/t/platform/account`);

    await page.click('text=Turn off');
    await page.waitForURL(`${base}/t/platform/mfa-disable`);
    await page.fill('input[name=password]', password);
    await page.fill('input[name=code]', codes[0]!);
    await screenshot(page, 'mfa-disable');
    await page.click('button:has-text("Turn off two-step verification")');
    await page.waitForURL(`${base}/t/platform/account?done=mfa-off`);
    assert.equal(await page.textContent('.notice'), 'Two-step verification is off.');
    await page.close();
  });

  test('forgot password, reset from the emailed link, sign in with the new password', async () => {
    const page = await freshPage(h);
    const email = 'forgetful@example.test';
    await register(page, email, 'the first passphrase here');
    await page.goto(`${base}/t/platform/forgot-password`);
    await page.fill('input[name=email]', email);
    await screenshot(page, 'forgot-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=If an account uses that address');

    await page.goto(await linkFromMail(h, email, 'reset-password'));
    await page.fill('input[name=password]', 'the second passphrase now');
    await screenshot(page, 'reset-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Your password was changed');

    await signIn(page, base, 'platform', email, 'the first passphrase here');
    assert.equal(await page.textContent('.error'), 'The email or password is incorrect.');
    await signIn(page, base, 'platform', email, 'the second passphrase now');
    await page.waitForURL(`${base}/t/platform/account`);
    await page.close();
  });

  test('an open redirect is refused: a return_to on an unlisted origin ends on the account page', async () => {
    const page = await freshPage(h);
    await page.goto(
      `${base}/t/platform/sign-in?return_to=${encodeURIComponent('https://evil.example/phish')}`,
    );
    await page.fill('input[name=email]', ADMIN_EMAIL);
    await page.fill('input[name=password]', ADMIN_PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/t/platform/account`);
    await page.close();
  });
});
