import type { Kysely } from 'kysely';
import { type DB, fromJson, isUniqueViolation, isUuid, keysetPage, type Tx } from '../db/index.ts';
import { AppError, type CursorKey } from '../http/index.ts';
import { resolveSettings, type TenantSettings } from './tenant-settings.ts';

export interface Tenant {
  id: string;
  slug: string;
  displayName: string;
  status: 'active' | 'suspended' | 'deleted';
  createdAt: string;
  updatedAt: string;
  deletedAt: string | null;
  settings: TenantSettings;
}

type Row = DB['tenants'];

function toTenant(row: Row): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    displayName: row.display_name,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    settings: resolveSettings(fromJson(row.settings)),
  };
}

// The tenants table is the platform's own: it is looked up by slug before any tenant is known,
// so it is the one table without a tenant id (and without row-level security).
export async function insertTenant(trx: Tx, tenant: Tenant): Promise<void> {
  try {
    await trx
      .insertInto('tenants')
      .values({
        id: tenant.id,
        slug: tenant.slug,
        display_name: tenant.displayName,
        status: tenant.status,
        settings: '{}',
        created_at: tenant.createdAt,
        updated_at: tenant.updatedAt,
        deleted_at: null,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError('IAM_ERR_TENANT_SLUG_TAKEN', `The slug "${tenant.slug}" is taken.`);
    throw error;
  }
}

/** A tenant by id, unless deleted. */
export async function findTenantById(db: Kysely<DB>, id: string): Promise<Tenant | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db
    .selectFrom('tenants')
    .selectAll()
    .where('id', '=', id)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row && toTenant(row);
}

/** A tenant by slug, unless deleted. */
export async function findTenantBySlug(db: Kysely<DB>, slug: string): Promise<Tenant | undefined> {
  const row = await db
    .selectFrom('tenants')
    .selectAll()
    .where('slug', '=', slug)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row && toTenant(row);
}

export async function listTenants(
  db: Kysely<DB>,
  options: { limit: number; after?: CursorKey; status?: 'active' | 'suspended' },
): Promise<Tenant[]> {
  let query = db.selectFrom('tenants').selectAll().where('deleted_at', 'is', null);
  if (options.status) query = query.where('status', '=', options.status);
  const rows = await keysetPage(query, { by: ['created_at', 'id'] }, options).execute();
  return rows.map(toTenant);
}

export async function updateTenant(
  trx: Tx,
  id: string,
  changes: { displayName?: string; status?: Tenant['status']; deletedAt?: string },
  now: string,
): Promise<void> {
  await trx
    .updateTable('tenants')
    .set({
      ...(changes.displayName !== undefined ? { display_name: changes.displayName } : {}),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.deletedAt !== undefined ? { deleted_at: changes.deletedAt } : {}),
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
}
