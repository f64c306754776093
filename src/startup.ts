import type { FastifyBaseLogger } from 'fastify';
import { systemClock } from './clock.ts';
import type { Config } from './config/index.ts';
import {
  assertSchemaCurrent,
  bypassesRowSecurity,
  createDatabase,
  type Database,
  grantAppRole,
  migrate,
} from './db/index.ts';
// Straight from the files, not the modules' index: the cluster primary runs this and nothing of the
// HTTP side, so it does not load (and hold in memory) the routes behind those indexes.
import { bootstrapPlatform } from './tenants/bootstrap.ts';
import { createTenantService } from './tenants/tenant-service.ts';
import { loadKeyEncryptionKey } from './tokens/key-encryption.ts';
import { createPasswordHasher } from './users/password-hasher.ts';

export function openDatabase(config: Config, url = config.DATABASE_URL): Database {
  return createDatabase({
    url,
    dataDir: config.DATA_DIR,
    poolMax: config.DATABASE_POOL_MAX,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    preparedStatements: config.DATABASE_PREPARED_STATEMENTS,
  });
}

/** The PostgreSQL role the service connects as, when it differs from the schema owner. */
function appRole(config: Config): string | undefined {
  if (!config.DATABASE_MIGRATION_URL || config.DATABASE_MIGRATION_URL === config.DATABASE_URL)
    return undefined;
  return decodeURIComponent(new URL(config.DATABASE_URL).username) || undefined;
}

/** Brings the schema up to date (with the owner's connection) and grants the service's role. */
export async function runMigrations(config: Config): Promise<number[]> {
  const owner = openDatabase(config, config.DATABASE_MIGRATION_URL || config.DATABASE_URL);
  try {
    const applied = await migrate(owner);
    const role = owner.dialect === 'postgres' ? appRole(config) : undefined;
    if (role) await grantAppRole(owner, role);
    return applied;
  } finally {
    await owner.close();
  }
}

/**
 * Everything that must happen once before serving: schema (migrated on the embedded database or
 * when asked, otherwise only checked) and the platform tenant with its administrator.
 */
export async function prepare(config: Config, log: FastifyBaseLogger): Promise<void> {
  const embedded = !config.DATABASE_URL;
  if (embedded || config.DATABASE_MIGRATE_ON_START) {
    const applied = await runMigrations(config);
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
  }
  const database = openDatabase(config);
  try {
    await assertSchemaCurrent(database);
    if (database.dialect === 'postgres' && (await bypassesRowSecurity(database))) {
      const message =
        'the database role bypasses row-level security; connect as a role without BYPASSRLS that owns no table (docs/operations.md)';
      if (config.NODE_ENV === 'production') throw new Error(message);
      log.warn(message);
    }
    const hasher = createPasswordHasher({
      memoryCost: config.ARGON2_MEMORY_KIB,
      timeCost: config.ARGON2_ITERATIONS,
      parallelism: config.ARGON2_PARALLELISM,
    });
    const result = await bootstrapPlatform({
      database,
      tenants: createTenantService({ database, clock: systemClock }),
      hasher,
      clock: systemClock,
      adminEmail: config.GATEHOUSE_ADMIN_EMAIL,
      adminPassword: config.GATEHOUSE_ADMIN_PASSWORD,
    });
    if (result.createdAdmin)
      log.info({ email: config.GATEHOUSE_ADMIN_EMAIL }, 'platform administrator created');
    if (result.generatedPassword) {
      // Printed once, to the console only (never to the log stream), and never stored in clear.
      process.stdout.write(
        `\nPlatform administrator: ${config.GATEHOUSE_ADMIN_EMAIL}\nGenerated password (shown once): ${result.generatedPassword}\n\n`,
      );
    }
  } finally {
    await database.close();
  }
  loadKeyEncryptionKey(config.KEY_ENCRYPTION_SECRET, config.DATA_DIR);
}
