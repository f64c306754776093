import { randomUUID } from 'node:crypto';
import { fromJson, uuidv7 } from '../../src/db/index.ts';
import { assignRole } from '../../src/roles/index.ts';
import { createKeyEncryption, loadKeyEncryptionKey } from '../../src/tokens/index.ts';
import { createPasswordHasher, insertUser, linkAad, normalizeEmail } from '../../src/users/index.ts';
import { login, type TestApp } from './test-app.ts';

const hasher = createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });

export interface TenantFixture {
  id: string;
  slug: string;
  adminId: string;
  adminEmail: string;
  adminPassword: string;
  /** Bearer token of the tenant's administrator (system role `admin`). */
  adminToken: string;
}

/** A new tenant created through the platform API, with an administrator who has signed in. */
export async function createTenantWithAdmin(t: TestApp, slug: string): Promise<TenantFixture> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/tenants',
    headers: { authorization: `Bearer ${await t.adminToken()}` },
    payload: { slug, display_name: slug },
  });
  if (res.statusCode !== 201) throw new Error(`tenant ${slug}: ${res.body}`);
  const id = res.json().id as string;
  const admin = await createUser(t, id, { email: `admin@${slug}.test`, roles: ['admin'] });
  return {
    id,
    slug,
    adminId: admin.id,
    adminEmail: admin.email,
    adminPassword: admin.password,
    adminToken: await login(t.app, slug, admin.email, admin.password),
  };
}

/**
 * Replaces a tenant's stored settings directly. The tenant directory of a running app re-reads a
 * tenant within half a second; create the tenant with `createTenantWithSettings` to have them from
 * its first request instead.
 */
export async function setTenantSettings(t: TestApp, tenantId: string, settings: object): Promise<void> {
  await t.database.db
    .updateTable('tenants')
    .set({ settings: JSON.stringify(settings) })
    .where('id', '=', tenantId)
    .execute();
}

/** A new tenant, created by the platform operator, whose settings are in place before anything reads it. */
export async function createTenantWithSettings(
  t: TestApp,
  slug: string,
  settings: object,
  displayName = slug,
): Promise<string> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/tenants',
    headers: { authorization: `Bearer ${await t.adminToken()}` },
    payload: { slug, display_name: displayName },
  });
  if (res.statusCode !== 201) throw new Error(`tenant ${slug}: ${res.body}`);
  const id = res.json().id as string;
  await setTenantSettings(t, id, settings);
  return id;
}

export interface UserFixture {
  id: string;
  email: string;
  password: string;
}

/**
 * A user inserted directly (verified, active), optionally holding system roles, and with a password
 * set `passwordAgeDays` ago (for the expiry rules).
 */
export async function createUser(
  t: TestApp,
  tenantId: string,
  options: { email?: string; roles?: string[]; password?: string; passwordAgeDays?: number } = {},
): Promise<UserFixture> {
  const email = options.email ?? `user-${randomUUID().slice(0, 8)}@example.test`;
  const password = options.password ?? `pw-${randomUUID()}`;
  const id = uuidv7();
  const now = new Date().toISOString();
  const passwordHash = await hasher.hash(password);
  await t.database.withTenant(tenantId, async (trx) => {
    await insertUser(trx, tenantId, {
      id,
      email,
      emailNormalized: normalizeEmail(email),
      emailVerified: true,
      passwordHash,
      name: null,
      now,
    });
    for (const role of options.roles ?? []) await assignRole(trx, tenantId, id, role, now);
    if (options.passwordAgeDays !== undefined) {
      const changedAt = new Date(Date.now() - options.passwordAgeDays * 86_400_000).toISOString();
      await trx
        .updateTable('users')
        .set({ password_changed_at: changedAt })
        .where('tenant_id', '=', tenantId)
        .where('id', '=', id)
        .execute();
    }
  });
  return { id, email, password };
}

/** The newest event of a type in the outbox, with its payload parsed. */
export async function latestEvent(t: TestApp, type: string): Promise<Record<string, unknown> | undefined> {
  const row = await t.database.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('type', '=', type)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? fromJson<Record<string, unknown>>(row.payload) : undefined;
}

/** Waits (bounded) for an event that is written after the response, as for password-forgot. */
export async function waitForEvent(t: TestApp, type: string, count: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await countEvents(t, type)) >= count) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no ${count}th ${type} event`);
}

export async function countEvents(t: TestApp, type: string): Promise<number> {
  const row = await t.database.db
    .selectFrom('outbox')
    .select((e) => e.fn.countAll().as('n'))
    .where('type', '=', type)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The link token an email event carries, unsealed as the notifier would. */
export async function linkTokenOf(t: TestApp, type: string): Promise<string> {
  const payload = await latestEvent(t, type);
  if (!payload) throw new Error(`no ${type} event`);
  const encryption = createKeyEncryption(
    loadKeyEncryptionKey(t.config.KEY_ENCRYPTION_SECRET, t.config.DATA_DIR),
  );
  return encryption
    .decrypt(String(payload.link_token_sealed), linkAad(String(payload.tenant_id), String(payload.link_id)))
    .toString();
}

/** Row counts of the tables a request might change, to show that a refused request changed nothing. */
export async function snapshot(t: TestApp, tenantId: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  counts.outbox = await countRows(t, 'outbox');
  await t.database.withTenant(tenantId, async (trx) => {
    for (const table of ['users', 'user_tokens', 'user_roles'] as const) {
      const row = await trx
        .selectFrom(table)
        .select((e) => e.fn.countAll().as('n'))
        .where('tenant_id', '=', tenantId)
        .executeTakeFirstOrThrow();
      counts[table] = Number(row.n);
    }
    const versions = await trx
      .selectFrom('users')
      .select((e) => e.fn.sum('version').as('v'))
      .where('tenant_id', '=', tenantId)
      .executeTakeFirstOrThrow();
    counts.versions = Number(versions.v);
  });
  return counts;
}

async function countRows(t: TestApp, table: 'outbox' | 'tenants'): Promise<number> {
  const row = await t.database.db
    .selectFrom(table)
    .select((e) => e.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
