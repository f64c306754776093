import { type Kysely, sql } from 'kysely';
import type { Database } from './database.ts';
import { MIGRATIONS } from './migrations/index.ts';
import type { DB } from './schema.ts';

export class SchemaVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SchemaVersionError';
  }
}

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

// Any fixed key: replicas that migrate at the same time queue on one PostgreSQL advisory lock.
const MIGRATION_LOCK = 7_310_225_114;

function isMissingTable(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  // PostgreSQL 42P01 undefined_table; SQLite reports "no such table".
  return e.code === '42P01' || /no such table/.test(String(e.message));
}

/** The schema version of the database; 0 for a database that was never migrated. */
export async function currentVersion(db: Kysely<DB>): Promise<number> {
  try {
    const row = await db
      .selectFrom('schema_migrations')
      .select((eb) => eb.fn.max('version').as('v'))
      .executeTakeFirst();
    return Number(row?.v ?? 0);
  } catch (error) {
    if (isMissingTable(error)) return 0;
    throw error;
  }
}

/**
 * Applies every pending migration and returns the versions applied. Re-running is a no-op; a schema
 * newer than this release is never touched. Concurrent runs (replicas starting together) serialise:
 * on PostgreSQL behind an advisory lock, each migration in its own transaction; on SQLite inside one
 * `BEGIN IMMEDIATE` transaction, which takes the write lock up front so the busy timeout applies.
 */
export async function migrate(database: Database): Promise<number[]> {
  const postgres = database.dialect === 'postgres';
  return database.db.connection().execute(async (conn) => {
    await sql.raw(postgres ? `SELECT pg_advisory_lock(${MIGRATION_LOCK})` : 'BEGIN IMMEDIATE').execute(conn);
    const step = <T>(fn: (db: Kysely<DB>) => Promise<T>) =>
      postgres ? conn.transaction().execute(fn) : fn(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`.execute(conn);
      const found = await currentVersion(conn);
      if (found > LATEST_VERSION) {
        throw new SchemaVersionError(
          `database schema version ${found} is newer than this release knows (${LATEST_VERSION}); upgrade Gatehouse`,
        );
      }
      const applied: number[] = [];
      for (const migration of MIGRATIONS.filter((m) => m.version > found)) {
        await step(async (trx) => {
          for (const statement of migration.up(database.dialect)) await sql.raw(statement).execute(trx);
          await trx
            .insertInto('schema_migrations')
            .values({
              version: migration.version,
              name: migration.name,
              applied_at: new Date().toISOString(),
            })
            .execute();
        });
        applied.push(migration.version);
      }
      if (!postgres) await sql.raw('COMMIT').execute(conn);
      return applied;
    } catch (error) {
      if (!postgres) await sql.raw('ROLLBACK').execute(conn);
      throw error;
    } finally {
      if (postgres) await sql.raw(`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`).execute(conn);
    }
  });
}

/** Refuses to serve on a schema this release does not match exactly. */
export async function assertSchemaCurrent(database: Database): Promise<void> {
  const found = await currentVersion(database.db);
  if (found > LATEST_VERSION) {
    throw new SchemaVersionError(
      `database schema version ${found} is newer than this release knows (${LATEST_VERSION}); upgrade Gatehouse`,
    );
  }
  if (found < LATEST_VERSION) {
    throw new SchemaVersionError(
      `database schema version ${found} is older than this release needs (${LATEST_VERSION}); run \`npm run migrate\` (or set DATABASE_MIGRATE_ON_START=true)`,
    );
  }
}
