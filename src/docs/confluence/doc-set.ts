// Reads the docs folder into pages with their Confluence titles and heading anchors, so links
// between pages can be resolved before any page is converted.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative, sep } from 'node:path';
import { headingAnchors, lexMarkdown, plainText, titleHeadingIndex } from './markdown.ts';

export type DocPage = {
  // Repository-relative, forward slashes (`docs/users.md`): the form links are resolved in.
  path: string;
  title: string;
  markdown: string;
  // GitHub heading slug → heading text.
  anchors: Map<string, string>;
};

export type DocSet = {
  pages: DocPage[];
  byPath: Map<string, DocPage>;
};

const toPosix = (path: string) => path.split(sep).join('/');

export function listMarkdownFiles(docsDir: string): string[] {
  return readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map(toPosix)
    .sort();
}

export function pageTitle(markdown: string, fileName: string, prefix: string): string {
  const tokens = lexMarkdown(markdown);
  const index = titleHeadingIndex(tokens);
  const heading = tokens[index];
  const text = heading?.type === 'heading' ? plainText(heading.tokens) : '';
  return `${prefix}${text || basename(fileName, '.md')}`;
}

export function loadDocSet(options: { repoRoot: string; docsDir: string; titlePrefix: string }): DocSet {
  const pages: DocPage[] = [];
  for (const name of listMarkdownFiles(options.docsDir)) {
    const file = join(options.docsDir, name);
    const markdown = readFileSync(file, 'utf8');
    pages.push({
      path: toPosix(relative(options.repoRoot, file)),
      title: pageTitle(markdown, name, options.titlePrefix),
      markdown,
      anchors: headingAnchors(lexMarkdown(markdown)),
    });
  }
  // Titles are the identity of pages in a space, so two files with one title would overwrite each other.
  const byTitle = Map.groupBy(pages, (page) => page.title);
  const clashes = [...byTitle].filter(([, same]) => same.length > 1);
  if (clashes.length > 0) {
    const list = clashes.map(([title, same]) => `"${title}": ${same.map((p) => p.path).join(', ')}`);
    throw new Error(
      `docs pages share a title (Confluence titles are unique per space):\n  ${list.join('\n  ')}`,
    );
  }
  return { pages, byPath: new Map(pages.map((page) => [page.path, page])) };
}
