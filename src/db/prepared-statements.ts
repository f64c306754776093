import { createHash } from 'node:crypto';
import type pg from 'pg';

export interface StatementCacheOptions {
  /** Uses of a statement text (across the pool) before connections keep it prepared. */
  threshold: number;
  /** Prepared statements one connection keeps at most. */
  perConnection: number;
}

// Distinct statement texts counted, and named, at most: the service's own query shapes are a few
// hundred; texts beyond that (IN lists of every length) simply stay unprepared.
const MAX_TEXTS = 2000;

type Query = (text: unknown, values?: unknown, callback?: unknown) => unknown;

/**
 * Keeps the statements the service sends again and again prepared on each connection, so that
 * PostgreSQL parses and analyses them once per connection instead of on every execution (named
 * statements of the extended query protocol). A statement is named once its text has been used
 * `threshold` times; statements without parameters (BEGIN, COMMIT, the tenant's set_config, which
 * carries its id in the text) stay on the simple protocol.
 */
export function cacheRepeatedStatements(pool: pg.Pool, options: StatementCacheOptions): void {
  const uses = new Map<string, number>();
  const names = new Map<string, string>();

  const nameFor = (text: string): string | undefined => {
    const known = names.get(text);
    if (known || names.size >= MAX_TEXTS) return known;
    const count = (uses.get(text) ?? 0) + 1;
    if (count < options.threshold) {
      if (uses.size < MAX_TEXTS || uses.has(text)) uses.set(text, count);
      return undefined;
    }
    uses.delete(text);
    // PostgreSQL names are at most 63 bytes; 96 bits of the text's digest cannot collide in practice.
    const name = `gh_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
    return name;
  };

  pool.on('connect', (client) => {
    // Plans still follow each execution's values: a plan made once for all values (the default
    // after five executions) can be far worse for a tenant whose data is unlike the average. Queued
    // before any other query of the connection; should it fail, the server's default stays.
    client.query('SET plan_cache_mode = force_custom_plan').catch(() => {});
    const prepared = new Set<string>();
    const query = client.query.bind(client) as Query;
    (client as unknown as { query: Query }).query = (text, values, callback) => {
      if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0)
        return query(text, values, callback);
      const name = nameFor(text);
      if (!name || (!prepared.has(name) && prepared.size >= options.perConnection))
        return query(text, values, callback);
      prepared.add(name);
      return callback === undefined ? query({ name, text, values }) : query({ name, text, values }, callback);
    };
  });
}
