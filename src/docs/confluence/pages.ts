// Turns the loaded docs into the pages to publish: a title and a storage-format body each.
import type { DocSet } from './doc-set.ts';
import { resolveLink } from './links.ts';
import { markdownToStorage } from './storage.ts';

export type RenderedPage = { path: string; title: string; storage: string };

export function renderPages(docs: DocSet, repositoryUrl: string | undefined): RenderedPage[] {
  return docs.pages.map((page) => ({
    path: page.path,
    title: page.title,
    storage: markdownToStorage(page.markdown, {
      resolveLink: (href) => resolveLink(href, page, docs, repositoryUrl),
      dropTitleHeading: true,
    }),
  }));
}
