// Markdown parsing shared by the converter and the page index: one lexer configuration (GitHub
// flavoured, as the docs are read on the forge) and the plain-text views of headings.
import { Lexer, type MarkedToken, type Token } from 'marked';
import { decodeEntities } from './xml.ts';

export function lexMarkdown(markdown: string): MarkedToken[] {
  // Without extensions the lexer only produces the built-in token kinds.
  return Lexer.lex(markdown, { gfm: true }) as MarkedToken[];
}

// Text tokens keep their source in `raw`; their `text` is only sometimes entity-escaped by marked,
// so the raw source is decoded here once, consistently.
export function plainText(tokens: readonly Token[]): string {
  let text = '';
  for (const token of tokens as readonly MarkedToken[]) {
    if (token.type === 'text') text += token.tokens ? plainText(token.tokens) : decodeEntities(token.raw);
    else if (token.type === 'escape' || token.type === 'codespan') text += token.text;
    else if (token.type === 'br') text += ' ';
    else if (token.type === 'html') continue;
    else if ('tokens' in token && token.tokens) text += plainText(token.tokens);
  }
  return text.replace(/\s+/g, ' ').trim();
}

// Index of the first top-level `# Heading`, which becomes the page title.
export function titleHeadingIndex(tokens: readonly MarkedToken[]): number {
  return tokens.findIndex((token) => token.type === 'heading' && token.depth === 1);
}

// GitHub's heading ids, which is what `page.md#some-heading` links in the docs point at.
export function githubSlug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

// slug → heading text, numbering repeated slugs the way GitHub does (`x`, `x-1`, `x-2`).
export function headingAnchors(tokens: readonly MarkedToken[]): Map<string, string> {
  const anchors = new Map<string, string>();
  for (const token of tokens) {
    if (token.type !== 'heading') continue;
    const text = plainText(token.tokens);
    const base = githubSlug(text);
    let slug = base;
    for (let n = 1; anchors.has(slug); n++) slug = `${base}-${n}`;
    anchors.set(slug, text);
  }
  return anchors;
}
