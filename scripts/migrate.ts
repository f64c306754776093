// `npm run migrate`: applies pending migrations with DATABASE_MIGRATION_URL (or DATABASE_URL) and
// grants the service's role; safe to run again.
import { ConfigError, loadConfig } from '../src/config/index.ts';
import { runMigrations } from '../src/startup.ts';

try {
  const { config } = loadConfig();
  const applied = await runMigrations(config);
  process.stdout.write(
    applied.length ? `applied migrations: ${applied.join(', ')}\n` : 'schema is up to date\n',
  );
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
