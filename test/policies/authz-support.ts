import type { LightMyRequestResponse } from 'fastify';
import { fromJson, uuidv7 } from '../../src/db/index.ts';
import type { TenantFixture } from '../support/fixtures.ts';
import type { TestApp } from '../support/test-app.ts';

// Shared by the roles and policies suites: calls as a tenant's administrator, groups written
// straight into the database (so these suites do not depend on the groups routes), and row counts
// that show a refused request changed nothing.

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Caller = (
  method: Method,
  path: string,
  payload?: unknown,
  headers?: Record<string, string>,
) => Promise<LightMyRequestResponse>;

/** Calls `/t/{tenant}/v1{path}` with a bearer token (the tenant administrator's unless given). */
export function caller(t: TestApp, tenant: TenantFixture, token = tenant.adminToken): Caller {
  return (method, path, payload, headers = {}) => {
    // A string is sent as it is: raw JSON text, for malformed bodies and repeated keys.
    const raw = typeof payload === 'string';
    return t.app.inject({
      method,
      url: `/t/${tenant.slug}/v1${path}`,
      headers: {
        authorization: `Bearer ${token}`,
        ...(raw ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(payload === undefined ? {} : { payload: payload as object | string }),
    });
  };
}

/** A group with members, inserted directly. */
export async function insertGroup(
  t: TestApp,
  tenantId: string,
  name: string,
  members: readonly string[] = [],
): Promise<string> {
  const id = uuidv7();
  const now = new Date().toISOString();
  await t.database.withTenant(tenantId, async (trx) => {
    await trx
      .insertInto('groups')
      .values({
        tenant_id: tenantId,
        id,
        name,
        name_normalized: name.toLowerCase(),
        description: '',
        created_at: now,
        updated_at: now,
      })
      .execute();
    for (const userId of members) {
      await trx
        .insertInto('group_members')
        .values({ tenant_id: tenantId, group_id: id, user_id: userId, created_at: now })
        .execute();
    }
  });
  return id;
}

const TENANT_TABLES = [
  'roles',
  'user_roles',
  'group_roles',
  'groups',
  'group_members',
  'policies',
  'policy_versions',
  'policy_attachments',
] as const;

/** Row counts of every table these routes write, plus the policies' versions and the roles' stamps. */
export async function authzSnapshot(t: TestApp, tenantId: string): Promise<Record<string, unknown>> {
  // One transaction: SQLite has a single connection, which the transaction holds.
  return t.database.withTenant(tenantId, async (trx) => {
    const counts: Record<string, unknown> = {};
    for (const table of TENANT_TABLES) {
      const row = await trx
        .selectFrom(table)
        .select((e) => e.fn.countAll().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      counts[table] = Number(row.n);
    }
    for (const table of ['outbox', 'revocations'] as const) {
      const row = await trx
        .selectFrom(table)
        .select((e) => e.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      counts[table] = Number(row.n);
    }
    counts.roleStamps = (
      await trx
        .selectFrom('roles')
        .select(['id', 'name', 'updated_at'])
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute()
    ).map((r) => `${r.id}:${r.name}:${r.updated_at}`);
    counts.policyVersions = (
      await trx
        .selectFrom('policies')
        .select(['id', 'version'])
        .where('tenant_id', '=', tenantId)
        .orderBy('id')
        .execute()
    ).map((p) => `${p.id}@${p.version}`);
    return counts;
  });
}

/** `authz` invalidations recorded for the tenant, oldest first, as `subject` strings. */
export async function authzInvalidations(t: TestApp, tenantId: string): Promise<string[]> {
  const rows = await t.database.db
    .selectFrom('revocations')
    .select(['subject'])
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'authz')
    .orderBy('seq')
    .execute();
  return rows.map((r) => r.subject);
}

/** Payloads of the tenant's events of one type, oldest first. */
export async function eventsOf(
  t: TestApp,
  tenantId: string,
  type: string,
): Promise<Record<string, unknown>[]> {
  const rows = await t.database.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('tenant_id', '=', tenantId)
    .where('type', '=', type)
    .orderBy('id')
    .execute();
  return rows.map((r) => fromJson<Record<string, unknown>>(r.payload));
}

/** A policy document of one statement. */
export function statement(
  effect: 'Allow' | 'Deny',
  action: string | string[],
  resource: string | string[] = '*',
  extra: Record<string, unknown> = {},
): { Version: string; Statement: Record<string, unknown>[] } {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: effect, Action: action, Resource: resource, ...extra }],
  };
}
