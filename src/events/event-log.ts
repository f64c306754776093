import { sql } from 'kysely';
import { type Database, fromJson, keysetPage, startsWith } from '../db/index.ts';
import type { CursorKey } from '../http/index.ts';

export interface LoggedEvent {
  id: string;
  type: string;
  version: number;
  payload: Record<string, unknown>;
  occurred_at: string;
}

export interface EventLogQuery {
  limit: number;
  /** The key (id) of the previous page's last event: the page holds older events. */
  after?: CursorKey | undefined;
  /** An event type, or a family such as `user.*`. */
  type?: string;
}

// Link events carry their token sealed for the notifier. Sealed is not clear, but an audit view has
// no use for it, so it never leaves the outbox this way.
const withoutSealed = (payload: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(payload).filter(([key]) => !key.endsWith('_sealed')));

/**
 * A tenant's events, newest first: the outbox rows it produced, kept for OUTBOX_RETENTION_DAYS
 * after they were handed to the queue. The outbox spans tenants, so the tenant filter is explicit.
 */
export async function listTenantEvents(
  database: Database,
  tenantId: string,
  query: EventLogQuery,
): Promise<LoggedEvent[]> {
  let select = database.db
    .selectFrom('outbox')
    .select(['id', 'type', 'version', 'payload', 'occurred_at'])
    .where('tenant_id', '=', tenantId);
  if (query.type?.endsWith('.*')) select = select.where(startsWith(sql.ref('type'), query.type.slice(0, -1)));
  else if (query.type !== undefined) select = select.where('type', '=', query.type);
  const rows = await keysetPage(select, { by: ['id'], descending: true }, query).execute();
  return rows.map((row) => ({
    ...row,
    payload: withoutSealed(fromJson<Record<string, unknown>>(row.payload)),
  }));
}
