import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  Kysely,
  type Kysely as KyselyType,
  PostgresDialect,
  SqliteDialect,
  sql,
  type Transaction,
} from 'kysely';
import pg from 'pg';
import { isUuid } from './ids.ts';
import type { Dialect } from './migrations/index.ts';
import { cacheRepeatedStatements } from './prepared-statements.ts';
import type { DB } from './schema.ts';
import { openSqlite } from './sqlite-adapter.ts';

export type Tx = Transaction<DB>;

const commitHooks = new WeakMap<Tx, (() => Promise<void>)[]>();

/**
 * Runs `hook` once the transaction has committed (never if it rolls back), before the transaction
 * helper returns: for work that must see the committed state, such as reading the invalidation feed.
 */
export function afterCommit(trx: Tx, hook: () => Promise<void>): void {
  const hooks = commitHooks.get(trx);
  if (hooks) hooks.push(hook);
  else commitHooks.set(trx, [hook]);
}

async function runTransaction<T>(db: KyselyType<DB>, fn: (trx: Tx) => Promise<T>): Promise<T> {
  let hooks: (() => Promise<void>)[] = [];
  const result = await db.transaction().execute(async (trx) => {
    const value = await fn(trx);
    hooks = commitHooks.get(trx) ?? [];
    return value;
  });
  for (const hook of hooks) await hook();
  return result;
}

export interface DatabaseOptions {
  /** `postgres://…`, or empty for the embedded SQLite file `<dataDir>/gatehouse.db`. */
  url: string;
  dataDir: string;
  poolMax: number;
  statementTimeoutMs: number;
  /** Keep repeated statements prepared per connection (PostgreSQL); off by default. */
  preparedStatements?: boolean;
}

export interface Database {
  readonly dialect: Dialect;
  /** Queries on platform tables (tenants, outbox); tenant-owned tables go through `withTenant`. */
  readonly db: KyselyType<DB>;
  /** One transaction on platform tables. */
  transaction<T>(fn: (trx: Tx) => Promise<T>): Promise<T>;
  /**
   * One transaction scoped to a tenant: on PostgreSQL it sets `app.tenant_id` for the row-level
   * security policies, so even a query that forgets its tenant filter sees only this tenant's rows.
   */
  withTenant<T>(tenantId: string, fn: (trx: Tx) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

// A statement is prepared on its third use, as JDBC's prepareThreshold does on its fifth: one-off texts
// stay unprepared; 200 per connection holds every query shape of a busy path with room to spare.
const STATEMENT_CACHE = { threshold: 3, perConnection: 200 };

// PostgreSQL type OIDs (pg_type): times come back as ISO strings and counts as numbers on both dialects.
const TIMESTAMPTZ = 1184;
const INT8 = 20;

function postgresPool(options: DatabaseOptions): pg.Pool {
  const types = new pg.TypeOverrides();
  types.setTypeParser(TIMESTAMPTZ, (v: string) => new Date(v).toISOString());
  types.setTypeParser(INT8, (v: string) => Number(v));
  return new pg.Pool({
    connectionString: options.url,
    max: options.poolMax,
    types,
    connectionTimeoutMillis: options.statementTimeoutMs,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs,
    query_timeout: options.statementTimeoutMs + 1000,
    application_name: 'gatehouse',
  });
}

/**
 * PostgreSQL: one round trip opens the transaction and scopes it to the tenant (the id is a UUID
 * checked here, so it can stand in the SQL text), saving the separate `set_config` round trip on
 * every tenant query.
 */
async function runTenantTransaction<T>(
  db: KyselyType<DB>,
  tenantId: string,
  fn: (trx: Tx) => Promise<T>,
): Promise<T> {
  if (!isUuid(tenantId)) throw new Error('tenant ids are UUIDs');
  let hooks: (() => Promise<void>)[] = [];
  const result = await db.connection().execute(async (conn) => {
    await sql.raw(`BEGIN; SELECT set_config('app.tenant_id', '${tenantId}', true)`).execute(conn);
    const trx = conn as unknown as Tx;
    try {
      const value = await fn(trx);
      hooks = commitHooks.get(trx) ?? [];
      await sql.raw('COMMIT').execute(conn);
      return value;
    } catch (error) {
      await sql
        .raw('ROLLBACK')
        .execute(conn)
        .catch(() => {});
      throw error;
    }
  });
  for (const hook of hooks) await hook();
  return result;
}

export function sqlitePath(dataDir: string): string {
  return resolve(dataDir, 'gatehouse.db');
}

export function createDatabase(options: DatabaseOptions): Database {
  const dialect: Dialect = options.url ? 'postgres' : 'sqlite';
  let db: KyselyType<DB>;
  if (dialect === 'postgres') {
    const pool = postgresPool(options);
    // An idle client that loses its connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    // A client checked out when its socket fails emits 'error' after pg-pool took its own listener
    // off (the query in flight gets the error): unheard, that event would end the process.
    pool.on('connect', (client) => client.on('error', () => {}));
    if (options.preparedStatements) cacheRepeatedStatements(pool, STATEMENT_CACHE);
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  } else {
    const file = sqlitePath(options.dataDir);
    mkdirSync(dirname(file), { recursive: true });
    db = new Kysely<DB>({ dialect: new SqliteDialect({ database: openSqlite(file) }) });
  }
  return {
    dialect,
    db,
    transaction: (fn) => runTransaction(db, fn),
    withTenant: (tenantId, fn) =>
      dialect === 'postgres' ? runTenantTransaction(db, tenantId, fn) : runTransaction(db, fn),
    ping: async () => {
      await sql`SELECT 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
