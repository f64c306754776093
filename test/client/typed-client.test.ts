import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createGatehouseClient, type GatehouseClient } from '../../clients/typescript/client.ts';
import { BROWSER_USER_AGENT } from '../support/browser.ts';
import { type ScratchDatabase, scratchDatabase } from '../support/databases.ts';
import { freePort, type Started, startMain, waitForOk } from '../support/process.ts';

// The typed client (clients/typescript) against the real service, started as `npm start` would.
// Every call goes through the types generated from docs/openapi.json, so a route, parameter or
// field that drifts from the document breaks `tsc --noEmit` here, and a document that drifts from
// the service breaks the assertions.

const OPERATOR = { email: 'ops@example.test', password: 'a long operator passphrase' };
const headers = { 'user-agent': BROWSER_USER_AGENT };

describe('typed client against the running service', () => {
  let scratch: ScratchDatabase;
  let server: Started;
  let baseUrl: string;

  before(async () => {
    scratch = await scratchDatabase('sqlite');
    const port = await freePort();
    server = startMain({
      ...scratch.env,
      PORT: String(port),
      GATEHOUSE_ADMIN_EMAIL: OPERATOR.email,
      GATEHOUSE_ADMIN_PASSWORD: OPERATOR.password,
      ARGON2_MEMORY_KIB: '8192',
      ARGON2_ITERATIONS: '1',
      RATE_LIMIT_ENABLED: 'false',
    });
    baseUrl = `http://127.0.0.1:${port}`;
    await waitForOk(`${baseUrl}/readyz`).catch((error: unknown) => {
      throw new Error(`the service did not start: ${server.output()}`, { cause: error });
    });
  });

  after(async () => {
    server.child.kill('SIGTERM');
    await server.exited;
    await scratch.drop();
  });

  async function signIn(client: GatehouseClient, tenant: string, email: string, password: string) {
    const { data, error, response } = await client.POST('/t/{tenant}/v1/auth/login', {
      params: { path: { tenant } },
      body: { email, password },
    });
    assert.equal(response.status, 200, JSON.stringify(error));
    assert.ok(data && 'access_token' in data, 'no second factor is enrolled: tokens, not a challenge');
    return data.access_token;
  }

  test('operator → tenant → user → sign-in → profile → authorization decision', async () => {
    const anonymous = createGatehouseClient({ baseUrl, headers });
    const operator = createGatehouseClient({
      baseUrl,
      headers,
      accessToken: await signIn(anonymous, 'platform', OPERATOR.email, OPERATOR.password),
    });

    // A tenant whose first administrator is invited in the same transaction.
    const created = await operator.POST('/v1/tenants', {
      body: { slug: 'typed-acme', display_name: 'Typed Acme', admin_email: 'it@typed-acme.example' },
    });
    assert.equal(created.response.status, 201, JSON.stringify(created.error));
    assert.equal(created.data?.slug, 'typed-acme');
    assert.equal(created.data?.status, 'active');
    const tenant = created.data.slug;

    // Errors are typed too: a taken slug is a problem with its stable code.
    const again = await operator.POST('/v1/tenants', { body: { slug: tenant, display_name: 'Again' } });
    assert.equal(again.response.status, 409);
    assert.equal(again.error?.code, 'IAM_ERR_TENANT_SLUG_TAKEN');
    assert.match(String(again.response.headers.get('content-type')), /^application\/problem\+json/);

    // A user with a password, made by the operator acting in the new tenant, given the `admin` role.
    const password = 'navy compiler cobol 1906';
    const user = await operator.POST('/t/{tenant}/v1/users', {
      params: { path: { tenant } },
      body: { email: 'grace@typed-acme.example', password, email_verified: true, name: 'Grace Hopper' },
    });
    assert.equal(user.response.status, 201, JSON.stringify(user.error));
    assert.ok(user.data);
    const other = await operator.POST('/t/{tenant}/v1/users', {
      params: { path: { tenant } },
      body: { email: 'alan@typed-acme.example' },
    });
    assert.ok(other.data, JSON.stringify(other.error));
    const roles = await operator.GET('/t/{tenant}/v1/roles', { params: { path: { tenant } } });
    const admin = roles.data?.items.find((role) => role.name === 'admin');
    assert.ok(admin, JSON.stringify(roles.error));
    const granted = await operator.PUT('/t/{tenant}/v1/users/{id}/roles/{role_id}', {
      params: { path: { tenant, id: user.data.id, role_id: admin.id } },
    });
    assert.equal(granted.response.status, 204, JSON.stringify(granted.error));

    // The user signs in to their tenant and reads their own profile.
    const grace = createGatehouseClient({
      baseUrl,
      headers,
      accessToken: await signIn(anonymous, tenant, 'grace@typed-acme.example', password),
    });
    const me = await grace.GET('/t/{tenant}/v1/me', { params: { path: { tenant } } });
    assert.equal(me.response.status, 200, JSON.stringify(me.error));
    assert.equal(me.data?.id, user.data.id);
    assert.equal(me.data?.email, 'grace@typed-acme.example');
    assert.equal(me.data?.name, 'Grace Hopper');
    assert.ok(me.response.headers.get('etag'));

    // …and asks for decisions: an administrator may delete users, a plain user may not.
    const check = (subject: string) =>
      grace.POST('/t/{tenant}/v1/authz/check', {
        params: { path: { tenant } },
        body: { subject, action: 'user:delete', resource: `user/${other.data?.id}` },
      });
    const allowed = await check(user.data.id);
    assert.equal(allowed.response.status, 200, JSON.stringify(allowed.error));
    assert.equal(allowed.data?.decision, 'allow');
    const denied = await check(other.data.id);
    assert.equal(denied.data?.decision, 'deny');
    assert.equal(denied.data?.reason, 'implicitDeny');

    // Without a token the same question is refused with the documented problem.
    const refused = await anonymous.POST('/t/{tenant}/v1/authz/check', {
      params: { path: { tenant } },
      body: { subject: user.data.id, action: 'user:read', resource: 'user/*' },
    });
    assert.equal(refused.response.status, 401);
    assert.equal(refused.error?.code, 'IAM_ERR_UNAUTHENTICATED');
  });
});
