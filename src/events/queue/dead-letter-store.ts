// The dead letters of both queue backends in one table, so operators list, replay and purge them
// through one API. Every read and delete takes the caller's scope: a tenant id sees that tenant's rows
// only; null is the platform operator's view of all tenants (platform events and unreadable
// messages, whose tenant_id is null, are visible in that view only).
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { type DB, isUuid, keysetPage, uuidv7 } from '../../db/index.ts';
import type { QueueBackend } from './queue-port.ts';

export interface DeadLetter {
  id: string;
  consumer: string;
  event_id: string | null;
  tenant_id: string | null;
  type: string | null;
  /** The message exactly as the consumer received it; replay delivers it again. */
  body: string;
  error: string;
  attempts: number;
  first_attempt_at: string | null;
  failed_at: string;
}

export type NewDeadLetter = Omit<DeadLetter, 'id'> & { id?: string };

export interface DeadLetterFilter {
  consumer?: string;
  type?: string;
  /** Narrows the platform view to one tenant; in a tenant's scope another tenant matches nothing. */
  tenantId?: string;
  /** failed_at at or after this instant (ISO 8601). */
  failedFrom?: string;
  /** failed_at before this instant (ISO 8601). */
  failedTo?: string;
}

/** The scope: a tenant id, or null for the platform operator (all tenants). */
export type DeadLetterScope = string | null;

/** Keyset position of a row in the newest-first order: `[failed_at, id]`. */
export type DeadLetterKey = readonly [string, string];

export const deadLetterKey = (letter: DeadLetter): DeadLetterKey => [letter.failed_at, letter.id];

type Query = SelectQueryBuilder<DB, 'dead_letters', object>;

/**
 * The rows a scope and a filter select, or undefined when they can select none: ids arrive from URLs,
 * and a malformed one must never reach PostgreSQL's uuid cast.
 */
function scoped(query: Query, scope: DeadLetterScope, filter: DeadLetterFilter): Query | undefined {
  if (scope !== null && !isUuid(scope)) return undefined;
  if (filter.tenantId !== undefined && !isUuid(filter.tenantId)) return undefined;
  let q = query;
  if (scope !== null) q = q.where('tenant_id', '=', scope);
  if (filter.tenantId !== undefined) q = q.where('tenant_id', '=', filter.tenantId);
  if (filter.consumer !== undefined) q = q.where('consumer', '=', filter.consumer);
  if (filter.type !== undefined) q = q.where('type', '=', filter.type);
  if (filter.failedFrom !== undefined) q = q.where('failed_at', '>=', filter.failedFrom);
  if (filter.failedTo !== undefined) q = q.where('failed_at', '<', filter.failedTo);
  return q;
}

const toDeadLetter = (row: DeadLetter): DeadLetter => ({ ...row, attempts: Number(row.attempts) });

/**
 * Stores a dead letter. A given id is stored once (the RabbitMQ drain may see a message again after a
 * crash between its insert and its ack); without one a new id is made.
 */
export async function insertDeadLetter(db: Kysely<DB>, letter: NewDeadLetter): Promise<string> {
  const id = letter.id ?? uuidv7();
  await db
    .insertInto('dead_letters')
    .values({ ...letter, id })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return id;
}

/**
 * Newest first, `limit + 1` rows at most (as every list repository here, so the route can tell whether
 * a next page exists); `after` is the key of the last row of the previous page.
 */
export async function listDeadLetters(
  db: Kysely<DB>,
  scope: DeadLetterScope,
  options: { limit: number; after?: DeadLetterKey; filter?: DeadLetterFilter },
): Promise<DeadLetter[]> {
  const query = scoped(db.selectFrom('dead_letters'), scope, options.filter ?? {});
  if (!query) return [];
  if (options.after && (!isUuid(options.after[1]) || Number.isNaN(Date.parse(options.after[0])))) return [];
  const rows = await keysetPage(
    query.selectAll(),
    { by: ['failed_at', 'id'], descending: true },
    options,
  ).execute();
  return rows.map(toDeadLetter);
}

export async function getDeadLetter(
  db: Kysely<DB>,
  scope: DeadLetterScope,
  id: string,
): Promise<DeadLetter | undefined> {
  if (!isUuid(id)) return undefined;
  const query = scoped(db.selectFrom('dead_letters'), scope, {});
  const row = await query?.selectAll().where('id', '=', id).executeTakeFirst();
  return row && toDeadLetter(row);
}

/** Deletes one dead letter in scope; false when there was none. */
export async function deleteDeadLetter(db: Kysely<DB>, scope: DeadLetterScope, id: string): Promise<boolean> {
  return (await deleteDeadLetters(db, scope, {}, [id])) === 1;
}

/** Purges what the scope and filter select (optionally only `ids`); returns how many went. */
export async function deleteDeadLetters(
  db: Kysely<DB>,
  scope: DeadLetterScope,
  filter: DeadLetterFilter,
  ids?: readonly string[],
): Promise<number> {
  const selected = selectIds(db, scope, filter, ids);
  if (!selected) return 0;
  const result = await db.deleteFrom('dead_letters').where('id', 'in', selected).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * Deletes and returns (oldest first, at most `limit`) what the scope and filter select, so a replay
 * delivers each dead letter once even when two operators replay at the same time.
 */
export async function takeDeadLetters(
  db: Kysely<DB>,
  scope: DeadLetterScope,
  filter: DeadLetterFilter,
  options: { ids?: readonly string[]; limit?: number } = {},
): Promise<DeadLetter[]> {
  const selected = selectIds(db, scope, filter, options.ids, options.limit);
  if (!selected) return [];
  const rows = await db.deleteFrom('dead_letters').where('id', 'in', selected).returningAll().execute();
  return rows
    .map(toDeadLetter)
    .sort((a, b) => a.failed_at.localeCompare(b.failed_at) || a.id.localeCompare(b.id));
}

function selectIds(
  db: Kysely<DB>,
  scope: DeadLetterScope,
  filter: DeadLetterFilter,
  ids?: readonly string[],
  limit?: number,
) {
  const valid = ids?.filter(isUuid);
  if (valid && valid.length === 0) return undefined;
  let query = scoped(db.selectFrom('dead_letters'), scope, filter);
  if (!query) return undefined;
  if (valid) query = query.where('id', 'in', valid);
  const picked = query.select('id').orderBy('failed_at').orderBy('id');
  return limit === undefined ? picked : picked.limit(limit);
}

/**
 * Replays dead letters: takes them (so each is delivered once), hands each body to its consumer again,
 * and puts back the ones not yet handed over when the queue fails, so a replay never loses a letter.
 * Returns how many were redelivered.
 */
export async function replayDeadLetters(
  db: Kysely<DB>,
  queue: Pick<QueueBackend, 'redeliver'>,
  scope: DeadLetterScope,
  filter: DeadLetterFilter,
  options: { ids?: readonly string[]; limit?: number } = {},
): Promise<number> {
  const letters = await takeDeadLetters(db, scope, filter, options);
  for (const [i, letter] of letters.entries()) {
    try {
      await queue.redeliver(letter.consumer, letter.body);
    } catch (error) {
      for (const rest of letters.slice(i)) await insertDeadLetter(db, rest);
      throw error;
    }
  }
  return letters.length;
}
