import { type RawBuilder, sql } from 'kysely';

/**
 * The keyset condition "after this row" as a row-value comparison, `(sort, id) > (value, id)`: both
 * dialects answer it as one range scan of the (tenant_id, sort, id) index, so page 10,000 costs what
 * page 1 does. (The equivalent `a > x OR (a = x AND b > y)` makes PostgreSQL scan from the start.)
 */
export function keysetAfter(
  sortColumn: string,
  idColumn: string,
  key: readonly unknown[],
  descending = false,
): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(sortColumn)}, ${sql.ref(idColumn)}) ${sql.raw(descending ? '<' : '>')} (${key[0]}, ${key[1]})`;
}
