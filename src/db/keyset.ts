import { type RawBuilder, type SelectQueryBuilder, sql } from 'kysely';

/**
 * The keyset condition "after this row" as a row-value comparison, `(sort, id) > (value, id)`: both
 * dialects answer it as one range scan of the (tenant_id, sort, id) index, so page 10,000 costs what
 * page 1 does. (The equivalent `a > x OR (a = x AND b > y)` makes PostgreSQL scan from the start.)
 */
function keysetAfter(
  sortColumn: string,
  idColumn: string,
  key: readonly unknown[],
  descending = false,
): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(sortColumn)}, ${sql.ref(idColumn)}) ${sql.raw(descending ? '<' : '>')} (${key[0]}, ${key[1]})`;
}

export interface KeysetOrder {
  /** The sort column and the unique column that breaks its ties, or a unique column alone. */
  by: readonly [string, string] | readonly [string];
  descending?: boolean;
}

/**
 * One page of a list in keyset order: the rows after `after` (the key of the previous page's last
 * row), and `limit + 1` of them, so the page builder (src/http/pagination.ts) can tell whether
 * another page follows.
 */
export function keysetPage<D, TB extends keyof D, O>(
  query: SelectQueryBuilder<D, TB, O>,
  order: KeysetOrder,
  page: { limit: number; after?: readonly unknown[] | undefined },
): SelectQueryBuilder<D, TB, O> {
  const [sort, tie] = order.by;
  const direction = order.descending ? 'desc' : 'asc';
  let q = query;
  if (page.after) {
    q = q.where(
      tie === undefined
        ? sql<boolean>`${sql.ref(sort)} ${sql.raw(order.descending ? '<' : '>')} ${page.after[0]}`
        : keysetAfter(sort, tie, page.after, order.descending),
    );
  }
  for (const column of order.by) q = q.orderBy(sql.ref(column), direction);
  return q.limit(page.limit + 1);
}
