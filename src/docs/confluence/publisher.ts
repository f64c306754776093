// Brings the space in line with the rendered pages, keyed by title: missing pages are created, changed
// ones get a new version, and unchanged ones are left alone so their history stays meaningful.
import { createHash } from 'node:crypto';
import type { ConfluenceClient, ConfluencePage } from './client.ts';
import { normaliseStorage } from './normalise.ts';
import type { RenderedPage } from './pages.ts';

export type PublishAction = {
  kind: 'create' | 'update' | 'unchanged';
  path: string;
  title: string;
  id: string | undefined;
  // The version the page has after this run (what it would have, in a dry run).
  version: number;
  // Set when an existing page sits under another parent than CONFLUENCE_PARENT_PAGE_ID.
  otherParent: string | undefined;
};

export type PublishOptions = {
  client: ConfluenceClient;
  spaceKey: string;
  parentId: string | undefined;
  dryRun: boolean;
  onAction?: (action: PublishAction) => void;
};

// Confluence may rewrite a body beyond what normalisation undoes; the hash of what we sent, kept in
// the version comment, still recognises a page that this tool published from the same source.
export const sourceMarker = (storage: string): string =>
  `docs-sha256:${createHash('sha256').update(storage).digest('hex').slice(0, 16)}`;

export function isUnchanged(existing: ConfluencePage, storage: string): boolean {
  if (existing.version.message?.includes(sourceMarker(storage))) return true;
  const current = existing.body?.storage?.value;
  return current !== undefined && normaliseStorage(current) === normaliseStorage(storage);
}

async function publishPage(page: RenderedPage, options: PublishOptions): Promise<PublishAction> {
  const { client, spaceKey, parentId, dryRun } = options;
  const content = {
    spaceKey,
    title: page.title,
    parentId,
    storage: page.storage,
    message: `Published from ${page.path} (${sourceMarker(page.storage)})`,
  };
  const base = { path: page.path, title: page.title, otherParent: undefined };
  const existing = await client.findPage(spaceKey, page.title);
  if (!existing) {
    const created = dryRun ? undefined : await client.createPage(content);
    return { ...base, kind: 'create', id: created?.id, version: created?.version.number ?? 1 };
  }
  const currentParent = existing.ancestors?.at(-1)?.id;
  const otherParent = parentId && currentParent !== parentId ? (currentParent ?? '(space root)') : undefined;
  if (isUnchanged(existing, page.storage)) {
    return { ...base, kind: 'unchanged', id: existing.id, version: existing.version.number, otherParent };
  }
  const next = existing.version.number + 1;
  if (!dryRun) await client.updatePage(existing.id, next, content);
  // The update carries the parent as ancestor, so the page moves under it.
  return { ...base, kind: 'update', id: existing.id, version: next };
}

// One page at a time: Confluence rate-limits bursts, and a failure then names the page it happened on.
export async function publishPages(
  pages: readonly RenderedPage[],
  options: PublishOptions,
): Promise<PublishAction[]> {
  const actions: PublishAction[] = [];
  for (const page of pages) {
    let action: PublishAction;
    try {
      action = await publishPage(page, options);
    } catch (error) {
      throw new Error(`${page.path} ("${page.title}"): ${(error as Error).message}`, { cause: error });
    }
    actions.push(action);
    options.onAction?.(action);
  }
  return actions;
}
