import { sql } from 'kysely';
import type { Database } from './database.ts';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Gives the service's PostgreSQL role what it needs and nothing more: data access on every table,
 * its functions, no ownership, so row-level security applies to it (owners and superusers would bypass it).
 * Creates the role when the migrating user may; otherwise the operator creates it (docs/operations.md).
 */
export async function grantAppRole(owner: Database, role: string): Promise<void> {
  if (!ROLE_NAME.test(role)) throw new Error(`invalid PostgreSQL role name: ${role}`);
  const name = sql.id(role);
  await owner.db.connection().execute(async (conn) => {
    const exists = await sql<{
      n: number;
    }>`SELECT count(*) AS n FROM pg_roles WHERE rolname = ${role}`.execute(conn);
    if (Number(exists.rows[0]?.n ?? 0) === 0) {
      try {
        await sql`CREATE ROLE ${name} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE`.execute(conn);
      } catch (error) {
        // 42710 duplicate_object: another database of the same cluster created it meanwhile.
        if ((error as { code?: string }).code !== '42710') throw error;
      }
    }
    await sql`GRANT USAGE ON SCHEMA public TO ${name}`.execute(conn);
    await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${name}`.execute(conn);
    await sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${name}`.execute(conn);
    // The schema's functions run as their caller (row-level security still applies); PUBLIC may
    // execute them by default, but not in a database that revoked that default.
    await sql`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${name}`.execute(conn);
    await sql`REVOKE INSERT, UPDATE, DELETE ON schema_migrations FROM ${name}`.execute(conn);
  });
}

/** True when the connected role would bypass row-level security (superuser, BYPASSRLS, or table owner). */
export async function bypassesRowSecurity(database: Database): Promise<boolean> {
  const result = await sql<{ bypass: boolean }>`
    SELECT (r.rolsuper OR r.rolbypassrls OR t.tableowner = current_user) AS bypass
    FROM pg_roles r, pg_tables t
    WHERE r.rolname = current_user AND t.schemaname = 'public' AND t.tablename = 'users'`.execute(
    database.db,
  );
  return result.rows[0]?.bypass !== false;
}
