import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export type Variant = 'sqlite' | 'postgres';

/** Superuser connection used to create and drop one throw-away database per test app. */
const ADMIN_URL = process.env.PG_TEST_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const APP_ROLE = 'gatehouse_app';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * `DB_VARIANTS=sqlite,postgres` names the databases every repository and HTTP test runs on; a
 * named variant that is unreachable fails the run. Unset, PostgreSQL is used when it answers.
 */
export async function resolveVariants(): Promise<Variant[]> {
  const named = process.env.DB_VARIANTS;
  if (named) {
    const list = named.split(',').map((v) => v.trim()) as Variant[];
    for (const v of list)
      if (v !== 'sqlite' && v !== 'postgres') throw new Error(`DB_VARIANTS: unknown variant ${v}`);
    if (list.includes('postgres') && !(await postgresReachable()))
      throw new Error(`DB_VARIANTS names postgres but ${ADMIN_URL} does not answer`);
    return list;
  }
  return (await postgresReachable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}

export const VARIANTS: Variant[] = await resolveVariants();

export interface ScratchDatabase {
  /** Config entries that point the service at this database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A new empty database: a temporary data directory, or a PostgreSQL database of its own. */
export async function scratchDatabase(variant: Variant): Promise<ScratchDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (variant === 'sqlite') return { env: { DATA_DIR: dataDir }, drop: async () => removeDir() };
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const ownerUrl = url.toString();
  url.username = APP_ROLE;
  url.password = '';
  return {
    // The service connects as a role without BYPASSRLS, as in production; migrations run as the owner.
    env: { DATA_DIR: dataDir, DATABASE_URL: url.toString(), DATABASE_MIGRATION_URL: ownerUrl },
    drop: async () => {
      removeDir();
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
