// Writes the typed client's schema from docs/openapi.json (or, with --check, fails when it is stale).
import { readFileSync, writeFileSync } from 'node:fs';
import { OPENAPI_PATH, renderClientSchema, SCHEMA_PATH } from '../clients/typescript/generate.ts';

const text = await renderClientSchema(readFileSync(OPENAPI_PATH, 'utf8'));
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(SCHEMA_PATH, 'utf8');
  } catch {
    // a missing file is stale
  }
  if (current !== text) {
    process.stderr.write(`stale generated client: ${SCHEMA_PATH}; run \`npm run docs:generate\`\n`);
    process.exit(1);
  }
} else {
  writeFileSync(SCHEMA_PATH, text);
}
