import { setImmediate as yieldTurn } from 'node:timers/promises';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB, Dialect } from '../db/index.ts';
import type { JobContext } from './job-types.ts';

/**
 * Repeats `batch` (one bounded transaction) until a batch changes fewer rows than the batch size.
 * Each batch commits on its own, so an interrupted run leaves only whole batches done and the next
 * run simply carries on: the deletes are idempotent. Between batches the event loop and (on SQLite)
 * the one connection go to waiting requests first.
 */
export async function repeatBatches(ctx: JobContext, batch: () => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    ctx.signal.throwIfAborted();
    const changed = await batch();
    total += changed;
    ctx.progress(changed);
    if (changed < ctx.batchSize) return total;
    await yieldTurn();
  }
}

/**
 * Deletes at most `limit` rows of `table` matching `where`, addressed by their physical row id
 * (SQLite `rowid`, PostgreSQL `ctid`): one shape serves every table whatever its primary key, and the
 * inner select walks the index that `where` names. The address is only used within the statement.
 */
export async function deleteSome(
  db: Kysely<DB>,
  dialect: Dialect,
  table: string,
  where: RawBuilder<unknown>,
  limit: number,
): Promise<number> {
  const t = sql.table(table);
  const query =
    dialect === 'postgres'
      ? sql`DELETE FROM ${t} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${t} WHERE ${where} LIMIT ${limit}))`
      : sql`DELETE FROM ${t} WHERE rowid IN (SELECT rowid FROM ${t} WHERE ${where} LIMIT ${limit})`;
  const result = await query.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

export interface TenantRow {
  id: string;
  slug: string;
  status: 'active' | 'suspended' | 'deleted';
  settings: unknown;
}

const TENANT_PAGE = 500;

/**
 * Calls `fn` for every tenant, a page at a time. Tenant-owned tables have row-level security on
 * PostgreSQL, so the purges work tenant by tenant inside `withTenant` (never nested).
 */
export async function forEachTenant(
  ctx: JobContext,
  fn: (tenant: TenantRow) => Promise<void>,
  statuses: readonly TenantRow['status'][] = ['active', 'suspended', 'deleted'],
): Promise<void> {
  let after = '';
  for (;;) {
    let query = ctx.database.db
      .selectFrom('tenants')
      .select(['id', 'slug', 'status', 'settings'])
      .where('status', 'in', statuses)
      .orderBy('id')
      .limit(TENANT_PAGE);
    if (after) query = query.where('id', '>', after);
    const page = await query.execute();
    for (const tenant of page) {
      ctx.signal.throwIfAborted();
      await fn(tenant);
    }
    const last = page.at(-1);
    if (!last || page.length < TENANT_PAGE) return;
    after = last.id;
  }
}

/** Deletes in batches, one `withTenant` transaction per batch. */
export function purgeTenantRows(
  ctx: JobContext,
  tenantId: string,
  table: string,
  where: RawBuilder<unknown>,
): Promise<number> {
  const { database } = ctx;
  return repeatBatches(ctx, () =>
    database.withTenant(tenantId, (trx) => deleteSome(trx, database.dialect, table, where, ctx.batchSize)),
  );
}

/** Deletes in batches from a platform table (no row-level security), one transaction per batch. */
export function purgeRows(ctx: JobContext, table: string, where: RawBuilder<unknown>): Promise<number> {
  const { database } = ctx;
  return repeatBatches(ctx, () =>
    database.transaction((trx) => deleteSome(trx, database.dialect, table, where, ctx.batchSize)),
  );
}

/** A time `ms` before `now`, as stored. */
export const before = (now: Date, ms: number): string => new Date(now.getTime() - ms).toISOString();

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
