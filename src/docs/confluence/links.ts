// Decides where a Markdown link points once the docs live in Confluence: another docs page becomes a
// page link by title (Confluence keeps those working across renames and moves), anything else in the
// repository goes to the repository browser when its URL is known, and absolute URLs stay as they are.
import { posix } from 'node:path';
import type { DocPage, DocSet } from './doc-set.ts';

export type LinkTarget =
  // `title` undefined: an anchor on the same page.
  | { kind: 'page'; title: string | undefined; anchor: string | undefined }
  | { kind: 'url'; href: string }
  // A repository file with no repository URL configured: shown as its path.
  | { kind: 'path'; path: string };

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

// Confluence derives heading ids from the heading text with whitespace removed, and resolves
// `ac:anchor` the same way; so the GitHub slug of the Markdown link is mapped back to its heading.
export function confluenceAnchor(slug: string, target: DocPage | undefined): string {
  const text = target?.anchors.get(slug.toLowerCase());
  return text === undefined ? slug : text.replace(/\s+/g, '');
}

const decode = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
};

export function resolveLink(href: string, from: DocPage, docs: DocSet, repositoryUrl?: string): LinkTarget {
  if (href.startsWith('#')) {
    const slug = decode(href.slice(1));
    return { kind: 'page', title: undefined, anchor: slug ? confluenceAnchor(slug, from) : undefined };
  }
  if (SCHEME.test(href) || href.startsWith('//')) return { kind: 'url', href };

  const hashAt = href.indexOf('#');
  const hash = hashAt >= 0 ? href.slice(hashAt + 1) : '';
  const pathPart = decode((hashAt >= 0 ? href.slice(0, hashAt) : href).replace(/\?.*$/, ''));
  // A leading slash is repository-relative on the forge, not filesystem-absolute.
  const path = pathPart.startsWith('/')
    ? posix.normalize(pathPart.slice(1))
    : posix.normalize(posix.join(posix.dirname(from.path), pathPart));

  const page = docs.byPath.get(path);
  if (page) {
    const slug = decode(hash);
    return { kind: 'page', title: page.title, anchor: slug ? confluenceAnchor(slug, page) : undefined };
  }
  if (path.startsWith('../') || path === '..') return { kind: 'path', path: pathPart };
  if (!repositoryUrl) return { kind: 'path', path };
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return { kind: 'url', href: `${repositoryUrl}/${encoded}${hash ? `#${hash}` : ''}` };
}
