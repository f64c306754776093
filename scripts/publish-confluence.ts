// Publishes every Markdown page under docs/ to a Confluence space (`npm run docs:confluence`).
// Settings come from the environment; see docs/documentation.md. Exit code 1 on any failure.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createConfluenceClient } from '../src/docs/confluence/client.ts';
import { loadDocSet } from '../src/docs/confluence/doc-set.ts';
import { renderPages } from '../src/docs/confluence/pages.ts';
import { type PublishAction, publishPages } from '../src/docs/confluence/publisher.ts';
import {
  authorizationHeader,
  ConfluenceSettingsError,
  readConfluenceSettings,
} from '../src/docs/confluence/settings.ts';

const USAGE = `usage: node scripts/publish-confluence.ts [--dry-run] [--docs-dir <dir>]

  --dry-run         read the space and print what would be created or updated, change nothing
  --docs-dir <dir>  the folder to publish (default: docs/ of this repository); links are resolved
                    against its parent folder as the repository root

environment: CONFLUENCE_BASE_URL, CONFLUENCE_SPACE_KEY, CONFLUENCE_USER + CONFLUENCE_API_TOKEN or
CONFLUENCE_BEARER_TOKEN, optional CONFLUENCE_PARENT_PAGE_ID, CONFLUENCE_TITLE_PREFIX, DOCS_REPOSITORY_URL
`;

function fail(message: string): never {
  process.stderr.write(`docs:confluence: ${message}\n`);
  process.exit(1);
}

function describe(action: PublishAction, dryRun: boolean): string {
  const done = { create: 'created', update: 'updated', unchanged: 'unchanged' }[action.kind];
  const label = dryRun && action.kind !== 'unchanged' ? `would ${action.kind}` : done;
  const version = action.kind === 'unchanged' ? `v${action.version}` : `→ v${action.version}`;
  const moved = action.otherParent ? ` [under page ${action.otherParent}, not the configured parent]` : '';
  return `${label.padEnd(14)} ${action.title}  (${action.path}, ${version})${moved}\n`;
}

let args: { 'dry-run'?: boolean; 'docs-dir'?: string; help?: boolean };
try {
  args = parseArgs({
    options: {
      'dry-run': { type: 'boolean' },
      'docs-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`);
}
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}

let settings: ReturnType<typeof readConfluenceSettings>;
try {
  settings = readConfluenceSettings(process.env);
} catch (error) {
  if (!(error instanceof ConfluenceSettingsError)) throw error;
  fail(`${error.message}\n(see docs/documentation.md)`);
}

const docsDir = args['docs-dir']
  ? resolve(args['docs-dir'])
  : fileURLToPath(new URL('../docs/', import.meta.url));
const dryRun = args['dry-run'] === true;

try {
  const docs = loadDocSet({ repoRoot: dirname(docsDir), docsDir, titlePrefix: settings.titlePrefix });
  if (docs.pages.length === 0) fail(`no *.md pages in ${docsDir}`);
  const pages = renderPages(docs, settings.repositoryUrl);
  const client = createConfluenceClient({
    baseUrl: settings.baseUrl,
    authorization: authorizationHeader(settings.auth),
  });
  const where = `${settings.baseUrl} space ${settings.spaceKey}${settings.parentPageId ? ` under page ${settings.parentPageId}` : ''}`;
  process.stdout.write(`${dryRun ? 'Dry run: ' : ''}publishing ${pages.length} pages to ${where}\n`);
  const actions = await publishPages(pages, {
    client,
    spaceKey: settings.spaceKey,
    parentId: settings.parentPageId,
    dryRun,
    onAction: (action) => process.stdout.write(describe(action, dryRun)),
  });
  const count = (kind: PublishAction['kind']) => actions.filter((action) => action.kind === kind).length;
  const summary = dryRun
    ? `dry run, nothing written: ${count('create')} to create, ${count('update')} to update`
    : `${count('create')} created, ${count('update')} updated`;
  process.stdout.write(`${summary}, ${count('unchanged')} unchanged\n`);
} catch (error) {
  fail((error as Error).message);
}
