import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { type Database, isUniqueViolation, uuidv7 } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError } from '../http/index.ts';
import { assignRole } from '../roles/index.ts';
import { findUserByEmail, insertUser, normalizeEmail, type PasswordHasher } from '../users/index.ts';
import { PLATFORM_SLUG } from './slug.ts';
import { findTenantBySlug } from './tenant-repository.ts';
import type { TenantService } from './tenant-service.ts';

export interface BootstrapResult {
  /** Set only when this call created the administrator with a generated password. */
  generatedPassword?: string;
  createdAdmin: boolean;
}

/**
 * First start: the reserved `platform` tenant and its administrator. Safe to run on every start and
 * from several processes at once: whatever exists is kept.
 */
export async function bootstrapPlatform(deps: {
  database: Database;
  tenants: TenantService;
  hasher: PasswordHasher;
  clock: Clock;
  adminEmail: string;
  adminPassword: string;
}): Promise<BootstrapResult> {
  const { database, hasher, clock } = deps;
  let platform = await findTenantBySlug(database.db, PLATFORM_SLUG);
  if (!platform) {
    try {
      platform = await deps.tenants.create({ slug: PLATFORM_SLUG, display_name: 'Platform' }, null, {
        allowReserved: true,
      });
    } catch (error) {
      if (!(error instanceof AppError && error.code === 'IAM_ERR_TENANT_SLUG_TAKEN')) throw error;
      platform = await findTenantBySlug(database.db, PLATFORM_SLUG);
    }
  }
  if (!platform) throw new Error('the platform tenant could not be created');
  const tenantId = platform.id;
  const email = deps.adminEmail.trim();
  const existing = await database.withTenant(tenantId, async (trx) => {
    const anyUser = await trx
      .selectFrom('users')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .limit(1)
      .executeTakeFirst();
    return anyUser ?? (await findUserByEmail(trx, tenantId, normalizeEmail(email)));
  });
  if (existing) return { createdAdmin: false };

  const generatedPassword = deps.adminPassword ? undefined : randomBytes(18).toString('base64url');
  const passwordHash = await hasher.hash(deps.adminPassword || (generatedPassword as string));
  const now = clock.now();
  const id = uuidv7(now.getTime());
  try {
    await database.withTenant(tenantId, async (trx) => {
      await insertUser(trx, tenantId, {
        id,
        email,
        emailNormalized: normalizeEmail(email),
        emailVerified: true,
        passwordHash,
        name: 'Platform administrator',
        now: now.toISOString(),
      });
      await assignRole(trx, tenantId, id, 'admin', now.toISOString());
      await appendEvent(
        trx,
        {
          type: 'user.created',
          tenantId,
          payload: { tenant_id: tenantId, user_id: id, email, actor_id: null, source: 'bootstrap' },
        },
        now,
      );
    });
  } catch (error) {
    // Another process created the administrator at the same moment.
    if (isUniqueViolation(error)) return { createdAdmin: false };
    throw error;
  }
  return { createdAdmin: true, ...(generatedPassword ? { generatedPassword } : {}) };
}
