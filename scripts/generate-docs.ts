// Writes the generated reference pages (or, with --check, fails when a committed one is stale).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config/index.ts';
import { createDatabase, migrate } from '../src/db/index.ts';
import { renderConfiguration, renderErrors, renderEvents } from '../src/docs/render-docs.ts';

async function openApi(): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-docs-'));
  const { config } = loadConfig({ DATA_DIR: dataDir });
  const database = createDatabase({ url: '', dataDir, poolMax: 1, statementTimeoutMs: 1000 });
  // The app reads its invalidation feed when ready, so the scratch database needs the schema.
  await migrate(database);
  const app = await buildApp(config, {
    database,
    keyEncryptionKey: Buffer.alloc(32),
    logger: pino({ level: 'silent' }),
  });
  await app.ready();
  const document = JSON.stringify(app.swagger(), null, 2);
  await app.close();
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
  return `${document}\n`;
}

const pages: Record<string, () => string | Promise<string>> = {
  'docs/openapi.json': openApi,
  'docs/configuration.md': renderConfiguration,
  'docs/errors.md': renderErrors,
  'docs/events.md': renderEvents,
};

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const [path, render] of Object.entries(pages)) {
  const text = await render();
  if (!check) {
    writeFileSync(path, text);
    continue;
  }
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // a missing page is stale
  }
  if (current !== text) stale.push(path);
}
if (stale.length > 0) {
  process.stderr.write(`stale generated docs: ${stale.join(', ')}; run \`npm run docs:generate\`\n`);
  process.exit(1);
}
