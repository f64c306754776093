import { sql } from 'kysely';
import type { Tx } from './database.ts';
import type { DB } from './schema.ts';

/** Tables of things used once (codes, challenges, links, refresh tokens): `used_at` is set on first use. */
export type SingleUseTable = 'mfa_challenges' | 'mfa_recovery_codes' | 'refresh_tokens' | 'user_tokens';

/**
 * Marks the row `key` names as used unless it already is, in one conditional UPDATE: of concurrent
 * uses exactly one gets true, whatever the isolation level, so a code, link or token cannot be spent
 * twice. False when the row is unknown or was spent before.
 */
export async function spendOnce<T extends SingleUseTable>(
  trx: Tx,
  table: T,
  key: Partial<Record<keyof DB[T] & string, string>>,
  now: string,
): Promise<boolean> {
  const matches = Object.entries(key).map(([column, value]) => sql`${sql.ref(column)} = ${value}`);
  const result = await sql`UPDATE ${sql.table(table)} SET used_at = ${now}
    WHERE ${sql.join(matches, sql` AND `)} AND used_at IS NULL`.execute(trx);
  return Number(result.numAffectedRows) === 1;
}
