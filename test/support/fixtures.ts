import { randomUUID } from 'node:crypto';
import { uuidv7 } from '../../src/db/index.ts';
import { assignRole } from '../../src/roles/index.ts';
import { createPasswordHasher, insertUser, normalizeEmail } from '../../src/users/index.ts';
import { login, type TestApp } from './test-app.ts';

const hasher = createPasswordHasher({ memoryCost: 8192, timeCost: 1, parallelism: 1 });

export interface TenantFixture {
  id: string;
  slug: string;
  adminId: string;
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
  return { id, slug, adminId: admin.id, adminToken: await login(t.app, slug, admin.email, admin.password) };
}

export interface UserFixture {
  id: string;
  email: string;
  password: string;
}

/** A user inserted directly (verified, active), optionally holding system roles. */
export async function createUser(
  t: TestApp,
  tenantId: string,
  options: { email?: string; roles?: string[]; password?: string } = {},
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
  });
  return { id, email, password };
}
