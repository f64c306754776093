import { type RawBuilder, sql } from 'kysely';

/**
 * `target LIKE 'prefix%'` with the prefix taken literally: `%`, `_` and `\` are escaped, and the
 * escape character is named, since SQLite has no default one.
 */
export function startsWith(target: RawBuilder<unknown>, prefix: string): RawBuilder<boolean> {
  return sql<boolean>`${target} LIKE ${`${prefix.replace(/[\\%_]/g, '\\$&')}%`} ESCAPE '\\'`;
}
