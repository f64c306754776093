import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  api,
  freshPage,
  type Harness,
  linkFromMail,
  screenshotter,
  signIn,
  skipReason,
  startHarness,
} from '../support/browser-harness.ts';
import { codeFor } from './page-client.ts';

// The pages around an account in Chromium: the captcha widget solving its proof of work after three
// wrong passwords, a tenant that requires MFA, the password change, sessions, and an invitation.

const screenshot = screenshotter('pages');

describe('hosted account pages in Chromium', { skip: skipReason }, () => {
  let h: Harness;
  let base = '';
  before(async () => {
    h = await startHarness();
    base = h.base;
  });
  after(() => h?.close());

  test('three wrong passwords, then the captcha appears, solves itself in the browser and lets the person in', async () => {
    const page = await freshPage(h);
    const email = 'captcha-user@example.test';
    const password = 'the captcha user passphrase';
    await api(h).createUser('platform', email, password);
    for (let i = 1; i <= 3; i++) {
      await signIn(page, base, 'platform', email, 'a wrong password');
      await page.waitForSelector('.error');
    }
    // The third failure's page already carries the widget, which fetches and solves its challenge.
    const status = page.locator('.captcha-status');
    await status.filter({ hasText: 'Done: you can continue.' }).waitFor({ timeout: 60_000 });
    assert.notEqual(await page.inputValue('input[name=captcha]'), '');
    assert.equal(await page.isEnabled('form[action=sign-in] button[type=submit]'), true);
    await screenshot(page, 'sign-in-captcha');
    await page.fill('input[name=password]', password);
    await page.click('form[action=sign-in] button[type=submit]');
    await page.waitForURL(`${base}/t/platform/account`);
    await page.close();
  });

  test('a tenant that requires MFA: the sign-in leads to enrolment, then to the account', async () => {
    const page = await freshPage(h);
    const client = api(h);
    await client.createTenant('strict', { mfa: 'required' });
    await client.createUser('strict', 'strict-user@example.test', 'the strict user passphrase');
    await signIn(page, base, 'strict', 'strict-user@example.test', 'the strict user passphrase');
    await page.waitForURL(`${base}/t/strict/mfa-setup`);
    assert.match((await page.textContent('.notice'))!, /requires two-step verification/);
    await screenshot(page, 'mfa-setup-required');
    await page.goto(`${base}/t/strict/account`);
    await page.waitForURL(`${base}/t/strict/mfa-setup`);
    await page.click('text=Show the QR code');
    await page.fill('input[name=code]', codeFor((await page.textContent('code.secret'))!));
    await page.click('text=Turn on two-step verification');
    await page.click('text=I have saved them');
    await page.waitForURL(`${base}/t/strict/account`);
    assert.match((await page.textContent('main'))!, /Two-step verification is on/);
    assert.equal(await page.locator('text=Turn off').count(), 0, 'required: no way to turn it off');
    await page.close();
  });

  test('change the password: a wrong current one takes the focus with its message; the right one works', async () => {
    const page = await freshPage(h);
    const email = 'changer@example.test';
    await api(h).createUser('platform', email, 'the old passphrase here');
    await signIn(page, base, 'platform', email, 'the old passphrase here');
    await page.waitForURL(`${base}/t/platform/account`);
    await page.click('text=Change your password');
    await page.waitForURL(`${base}/t/platform/change-password`);
    await screenshot(page, 'change-password');
    await page.fill('input[name=current_password]', 'not the old one');
    await page.fill('input[name=new_password]', 'the new passphrase here');
    await page.click('button:has-text("Change password")');
    await page.waitForSelector('.field-error');
    assert.equal(await page.evaluate('document.activeElement.name'), 'current_password');
    assert.equal(
      await page.evaluate(
        "document.getElementById(document.activeElement.getAttribute('aria-describedby')).textContent",
      ),
      'The current password is not correct.',
    );
    await screenshot(page, 'change-password-error');
    await page.fill('input[name=current_password]', 'the old passphrase here');
    await page.fill('input[name=new_password]', 'the new passphrase here');
    await page.click('button:has-text("Change password")');
    await page.waitForURL(`${base}/t/platform/account?done=password`);
    assert.match((await page.textContent('.notice'))!, /Your password was changed/);
    await page.close();
  });

  test('sessions: another device shows on the account page and is signed out from there', async () => {
    const page = await freshPage(h);
    const email = 'two-devices@example.test';
    const password = 'the two devices passphrase';
    const client = api(h);
    await client.createUser('platform', email, password);
    await client.login('platform', email, password);
    await signIn(page, base, 'platform', email, password);
    await page.waitForURL(`${base}/t/platform/account`);
    assert.equal(await page.locator('ul.sessions > li').count(), 2);
    await screenshot(page, 'account-sessions');
    await page.click('form[action=end-session] button');
    await page.waitForURL(`${base}/t/platform/account?done=session`);
    assert.equal(await page.locator('ul.sessions > li').count(), 1);
    await page.close();
  });

  test('an invitation: the emailed link sets the password, then the person signs in', async () => {
    const page = await freshPage(h);
    const email = 'invitee@example.test';
    await api(h).createUser('platform', email);
    await page.goto(await linkFromMail(h, email, 'accept-invitation'));
    await page.fill('input[name=password]', 'a passphrase of my choosing');
    await screenshot(page, 'accept-invitation');
    await page.click('button[type=submit]');
    await page.waitForSelector('text=Your password is set');
    await signIn(page, base, 'platform', email, 'a passphrase of my choosing');
    await page.waitForURL(`${base}/t/platform/account`);
    await page.close();
  });

  test('narrow screens: the pages fit a phone without scrolling sideways', async () => {
    const page = await freshPage(h);
    await page.setViewportSize({ width: 360, height: 740 });
    for (const name of ['sign-in', 'register', 'forgot-password']) {
      await page.goto(`${base}/t/platform/${name}`);
      assert.ok(await page.evaluate('document.documentElement.scrollWidth <= 360'), name);
    }
    await screenshot(page, 'register-phone');
    await page.close();
  });
});
