import { type DB, fromJson, keysetPage, type Tx, toJson } from '../db/index.ts';
import type { CursorKey } from '../http/index.ts';

export interface Webhook {
  id: string;
  url: string;
  eventTypes: string[];
  /** The signing secret, sealed with the key-encryption key under `webhookSecretAad`. */
  secretSealed: string;
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

type Row = DB['webhooks'];

function toWebhook(row: Row): Webhook {
  return {
    id: row.id,
    url: row.url,
    eventTypes: fromJson<string[]>(row.event_types),
    secretSealed: row.secret_sealed,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toRow(tenantId: string, webhook: Webhook): Row {
  return {
    tenant_id: tenantId,
    id: webhook.id,
    url: webhook.url,
    event_types: toJson(webhook.eventTypes),
    secret_sealed: webhook.secretSealed,
    status: webhook.status,
    created_at: webhook.createdAt,
    updated_at: webhook.updatedAt,
  };
}

export async function insertWebhook(trx: Tx, tenantId: string, webhook: Webhook): Promise<void> {
  await trx.insertInto('webhooks').values(toRow(tenantId, webhook)).execute();
}

/**
 * One endpoint by id. `forUpdate` (PostgreSQL only; SQLite runs one writer at a time) locks the row
 * until the transaction ends, so concurrent changes to one endpoint apply one after the other.
 */
export async function findWebhook(
  trx: Tx,
  tenantId: string,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<Webhook | undefined> {
  let query = trx.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id);
  if (options.forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row && toWebhook(row);
}

/** A page of endpoints by id (UUIDv7, so oldest first), `limit + 1` rows to tell whether more follow. */
export async function listWebhooks(
  trx: Tx,
  tenantId: string,
  options: { limit: number; after?: CursorKey | undefined },
): Promise<Webhook[]> {
  const query = trx.selectFrom('webhooks').selectAll().where('tenant_id', '=', tenantId);
  const rows = await keysetPage(query, { by: ['id'] }, options).execute();
  return rows.map(toWebhook);
}

/**
 * The tenant's active endpoints. A tenant has a handful, so subscriptions are matched in code rather
 * than with dialect-specific JSON operators.
 */
export async function listActiveWebhooks(trx: Tx, tenantId: string): Promise<Webhook[]> {
  const rows = await trx
    .selectFrom('webhooks')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .orderBy('id')
    .execute();
  return rows.map(toWebhook);
}

export async function updateWebhook(trx: Tx, tenantId: string, webhook: Webhook): Promise<void> {
  const { tenant_id: _tenant, id: _id, created_at: _created, ...changes } = toRow(tenantId, webhook);
  await trx
    .updateTable('webhooks')
    .set(changes)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', webhook.id)
    .execute();
}

export async function deleteWebhook(trx: Tx, tenantId: string, id: string): Promise<boolean> {
  const result = await trx
    .deleteFrom('webhooks')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
