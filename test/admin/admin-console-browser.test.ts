import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  ADMIN_EMAIL,
  ADMIN_PASSWORD,
  freshPage,
  type Harness,
  linkFromMail,
  screenshotter,
  skipReason,
  startHarness,
} from '../support/browser-harness.ts';
import { requestJson } from '../support/http-client.ts';
import { deadPort } from '../support/smtp.ts';

// The journey through the console in Chromium, against the real server process: an operator
// onboards a tenant; its administrator signs in, creates a role and a policy, uses the simulator,
// creates and deactivates a user, replays a dead letter; and cannot see another tenant.

const BOSS = { email: 'boss@acme.test', password: 'a long and secret sentence for acme' };
const shot = screenshotter('admin');

describe('admin console in Chromium', { skip: skipReason }, () => {
  let h: Harness;
  let hookPort = 0;
  let hooks: Server | undefined;
  const delivered: string[] = [];

  before(async () => {
    hookPort = await deadPort();
    h = await startHarness({
      // One attempt, so an undeliverable webhook is a dead letter at once.
      QUEUE_MAX_ATTEMPTS: '1',
      QUEUE_RETRY_BASE_MS: '10',
      WEBHOOK_ALLOW_INSECURE: 'true',
    });
  });
  after(async () => {
    await h?.close();
    await new Promise((resolve) => (hooks ? hooks.close(resolve) : resolve(undefined)));
  });

  /** The API as a script calls it, for what the test arranges or checks behind the console's back. */
  const call = (method: string, path: string, token?: string, body?: unknown) =>
    requestJson(h.base, method, path, { token, body });
  const tokenOf = async (slug: string, email: string, password: string) =>
    String(
      (await call('POST', `/t/${slug}/v1/auth/login`, undefined, { email, password })).body.access_token,
    );

  async function consoleSignIn(page: Page, tenant: string, email: string, password: string) {
    await page.goto(`${h.base}/admin/`);
    await page.getByLabel('Tenant').fill(tenant);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  /** The form holding the button named `submit`. */
  const formOf = (page: Page, submit: string) =>
    page.locator('form', { has: page.getByRole('button', { name: submit, exact: true }) });
  /** Answers the console's confirmation dialog with its action. */
  async function confirm(page: Page, action: string) {
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: action, exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  test('an operator onboards a tenant, whose administrator then runs it from the console', async () => {
    const page = await freshPage(h);

    // The operator signs in (platform is the default tenant) and lands on the tenants.
    await consoleSignIn(page, 'platform', ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    for (const [slug, name, admin] of [
      ['acme', 'Acme', BOSS.email],
      ['globex', 'Globex', 'chief@globex.test'],
    ]) {
      await page.goto(`${h.base}/admin/#/tenants`);
      await page.getByText('Create a tenant').click();
      const create = formOf(page, 'Create tenant');
      await create.getByLabel('Slug').fill(slug!);
      await create.getByLabel('Display name').fill(name!);
      await create.getByLabel('First administrator’s email').fill(admin!);
      await create.getByRole('button', { name: 'Create tenant' }).click();
      // Created, the console shows the new tenant.
      await page.waitForURL(`**/admin/#/tenants/${slug}`);
    }
    await page.goto(`${h.base}/admin/#/tenants`);
    await page.getByRole('link', { name: 'globex', exact: true }).waitFor();
    await shot(page, 'tenants');
    await page.goto(`${h.base}/admin/#/jobs`);
    await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
    await shot(page, 'jobs');

    // The first administrator sets a password from the invitation the real SMTP listener received.
    const link = await linkFromMail(h, BOSS.email, 'accept-invitation');
    const token = new URL(link).searchParams.get('token');
    const accepted = await call('POST', '/t/acme/v1/auth/invitation/accept', undefined, {
      token,
      password: BOSS.password,
    });
    assert.ok(accepted.status < 300, JSON.stringify(accepted.body));
    const boss = await tokenOf('acme', BOSS.email, BOSS.password);
    // A webhook nobody answers yet: the next user.created becomes a dead letter.
    const hook = await call('POST', '/t/acme/v1/webhooks', boss, {
      url: `http://127.0.0.1:${hookPort}/hook`,
      event_types: ['user.created'],
    });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    await page.close();
  });

  test('the tenant administrator creates a role and a policy, simulates, and manages a user', async () => {
    const page = await freshPage(h);
    await consoleSignIn(page, 'acme', BOSS.email, BOSS.password);
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    // A tenant administrator sees no platform section.
    assert.equal(await page.getByRole('link', { name: 'Tenants' }).count(), 0);
    await shot(page, 'users');

    // A role with one permission from the catalogue.
    await page.getByRole('link', { name: 'Roles', exact: true }).click();
    const newRole = formOf(page, 'Create role');
    await newRole.getByLabel('Name', { exact: true }).fill('support');
    await newRole.getByLabel('user:read').check();
    await newRole.getByRole('button', { name: 'Create role' }).click();
    await page.getByRole('heading', { level: 1, name: 'Role support' }).waitFor();
    await shot(page, 'role');

    // A user, given the role from their page.
    await page.getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByText('Create or invite a user').click();
    const newUser = formOf(page, 'Create user');
    await newUser.getByLabel('Email', { exact: true }).fill('pat@acme.test');
    await newUser.getByLabel('Password', { exact: true }).fill('pat has a long passphrase');
    await newUser.getByRole('button', { name: 'Create user' }).click();
    // Created, the console opens the user's page.
    await page.getByRole('heading', { level: 1, name: 'pat@acme.test' }).waitFor();
    const userId = decodeURIComponent(page.url().split('/').at(-1)!);
    await page.getByLabel('Role to assign').selectOption({ label: 'support' });
    await page.getByRole('button', { name: 'Assign role' }).click();
    await page.getByRole('cell', { name: 'support' }).first().waitFor();
    await shot(page, 'user');

    // A policy from the template (Allow user:read and user:list on user/*), attached to the role.
    await page.getByRole('link', { name: 'Policies', exact: true }).click();
    const newPolicy = formOf(page, 'Create policy');
    await newPolicy.getByLabel('Name', { exact: true }).fill('read-users');
    await newPolicy.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('heading', { level: 1, name: 'read-users' }).waitFor();
    await page.getByLabel('Kind').selectOption('role');
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('button', { name: 'Attach to role support' }).click();
    await page.getByRole('button', { name: 'Detach from role support' }).waitFor();
    // An invalid document is refused with its error at its JSON pointer, and nothing is saved.
    const editor = page.getByLabel('Document (JSON)');
    await editor.fill('{"Version": "2012-10-17", "Statement": [{"Effect": "Perhaps", "Action": "a:b"}]}');
    await page.getByRole('button', { name: 'Save document' }).click();
    await page.getByText('/document/Statement/0').first().waitFor();
    await shot(page, 'policy');

    // The simulator: pat may read users (the role's permission, allowed by the policy).
    await page.getByRole('link', { name: 'Simulator', exact: true }).click();
    await page.getByLabel('Subject (user id)').fill(userId);
    await page.getByLabel('Action').fill('user:read');
    await page.getByLabel('Resource').fill(`user/${userId}`);
    await page.getByRole('button', { name: 'Decide' }).click();
    await page.getByText('Allow', { exact: true }).first().waitFor();
    await shot(page, 'simulator');

    // Deactivate pat, after a confirmation.
    await page.goto(`${h.base}/admin/#/t/acme/users/${userId}`);
    const deactivate = formOf(page, 'Deactivate');
    await deactivate.getByLabel('Reason for deactivating').fill('left the company');
    await deactivate.getByRole('button', { name: 'Deactivate' }).click();
    await confirm(page, 'Deactivate');
    await page.getByRole('button', { name: 'Activate' }).waitFor();
    const boss = await tokenOf('acme', BOSS.email, BOSS.password);
    assert.equal((await call('GET', `/t/acme/v1/users/${userId}`, boss)).body.status, 'deactivated');

    // The event log shows it, with who acted.
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    await page.getByText('user.deactivated').first().waitFor();
    await shot(page, 'events');
    await page.close();
  });

  test('a dead letter is replayed from the console once its endpoint answers', async () => {
    hooks = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        delivered.push(body);
        response.writeHead(204).end();
      });
    });
    const page = await freshPage(h);
    await consoleSignIn(page, 'acme', BOSS.email, BOSS.password);
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByRole('link', { name: 'Dead letters', exact: true }).click();
    const replay = page.getByRole('button', { name: /^Replay the dead letter/ });
    // The webhook for pat's creation failed once and was dead-lettered (the relay is asynchronous).
    for (let i = 0; i < 50 && (await replay.count()) === 0; i++) {
      await page.waitForTimeout(200);
      await page.getByRole('button', { name: 'Filter' }).click();
    }
    await shot(page, 'dead-letters');
    await new Promise<void>((resolve) => hooks!.listen(hookPort, '127.0.0.1', resolve));
    await replay.first().click();
    for (let i = 0; i < 50 && delivered.length === 0; i++) await page.waitForTimeout(100);
    assert.equal(delivered.length, 1, 'the replayed delivery reached the endpoint');
    assert.match(delivered[0]!, /pat@acme\.test/);
    await page.close();
  });

  test('a tenant administrator cannot see another tenant, nor the platform screens', async () => {
    const page = await freshPage(h);
    await consoleSignIn(page, 'acme', BOSS.email, BOSS.password);
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.goto(`${h.base}/admin/#/t/globex/users`);
    await page.getByRole('heading', { level: 1, name: 'Not your tenant' }).waitFor();
    assert.equal(await page.getByText('chief@globex.test').count(), 0);
    await page.goto(`${h.base}/admin/#/tenants`);
    await page.getByRole('heading', { level: 1, name: 'Operators only' }).waitFor();
    // Behind the console, the API refuses the token at the other tenant and on platform routes.
    const boss = await tokenOf('acme', BOSS.email, BOSS.password);
    assert.equal((await call('GET', '/t/globex/v1/users', boss)).status, 401);
    assert.notEqual((await call('GET', '/v1/tenants', boss)).status, 200);
    await page.close();
  });

  test('keyboard only: sign in with Tab and Enter, and each new screen’s heading takes the focus', async () => {
    const page = await freshPage(h);
    await page.goto(`${h.base}/admin/`);
    await page.getByRole('heading', { level: 1, name: 'Sign in to the console' }).waitFor();
    // Evaluated in the page: its name attribute, or its text for links and buttons.
    const focused = () =>
      page.evaluate<string>(
        "document.activeElement.getAttribute('name') ?? document.activeElement.textContent.trim()",
      );
    // The screen's heading holds the focus once it renders: Tab goes through the form in reading order.
    assert.equal(await page.evaluate<string>('document.activeElement.tagName'), 'H1');
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push(await focused());
    }
    assert.deepEqual(order, ['tenant', 'email', 'password', 'Sign in']);
    await page.getByLabel('Email').focus();
    await page.keyboard.type(ADMIN_EMAIL);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    assert.equal(await page.evaluate<string>('document.activeElement.tagName'), 'H1');
    await page.close();
  });

  test('every other screen renders for the operator acting in the tenant', async () => {
    const page = await freshPage(h);
    await consoleSignIn(page, 'platform', ADMIN_EMAIL, ADMIN_PASSWORD);
    await page.getByRole('heading', { level: 1, name: 'Tenants' }).waitFor();
    for (const [section, heading] of [
      ['groups', 'Groups'],
      ['clients', 'Service clients'],
      ['settings', 'Settings'],
      ['keys', 'Signing keys'],
    ]) {
      await page.goto(`${h.base}/admin/#/t/acme/${section}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      assert.equal(await page.locator('.problem').count(), 0, `${section} shows a problem`);
      await shot(page, section!);
    }
    await page.close();
  });
});
