// Markdown → Confluence storage format (XHTML plus the ac:/ri: elements). marked does the parsing;
// the rendering is done here over its tokens rather than through marked's HTML renderer, because
// storage format must be XML (self-closed void elements, only XML entities) and code blocks and page
// links become Confluence elements instead of HTML.
import type { MarkedToken, Token, Tokens } from 'marked';
import type { LinkTarget } from './links.ts';
import { lexMarkdown, plainText, titleHeadingIndex } from './markdown.ts';
import { cdata, decodeEntities, escapeAttribute, escapeXml } from './xml.ts';

export type StorageOptions = {
  resolveLink: (href: string) => LinkTarget;
  // The first `# Heading` is the page title, which Confluence already shows above the body.
  dropTitleHeading: boolean;
};

type Context = { resolveLink: (href: string) => LinkTarget };

// Confluence's code macro knows `bash` but not the other common names for shell snippets; every
// other language (mermaid included, for diagram apps that read code blocks) is passed through.
const LANGUAGE_ALIASES: Record<string, string> = { sh: 'bash', shell: 'bash', zsh: 'bash', console: 'bash' };

export function codeMacro(code: string, info: string | undefined): string {
  const word = info?.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const language = LANGUAGE_ALIASES[word] ?? word;
  const parameter = language
    ? `<ac:parameter ac:name="language">${escapeAttribute(language)}</ac:parameter>`
    : '';
  return `<ac:structured-macro ac:name="code">${parameter}<ac:plain-text-body>${cdata(code)}</ac:plain-text-body></ac:structured-macro>`;
}

const isComment = (html: string) => /^\s*<!--[\s\S]*-->\s*$/.test(html);

// Raw HTML is not carried over (it would have to be valid XML and Confluence strips most of it):
// comments are dropped, line breaks kept, anything else shown as the text it is.
function renderHtml(html: string, block: boolean): string {
  if (isComment(html)) return '';
  if (/^<br\s*\/?>$/i.test(html.trim())) return '<br />';
  return block ? `<p>${escapeXml(html.trim())}</p>` : escapeXml(html);
}

function renderLink(token: Tokens.Link, context: Context): string {
  const target = context.resolveLink(token.href);
  if (target.kind === 'page') {
    const anchor = target.anchor ? ` ac:anchor="${escapeAttribute(target.anchor)}"` : '';
    const page = target.title ? `<ri:page ri:content-title="${escapeAttribute(target.title)}" />` : '';
    const label = plainText(token.tokens) || target.title || target.anchor || token.href;
    return `<ac:link${anchor}>${page}<ac:plain-text-link-body>${cdata(label)}</ac:plain-text-link-body></ac:link>`;
  }
  const label = renderInline(token.tokens, context);
  if (target.kind === 'url') {
    const title = token.title ? ` title="${escapeAttribute(token.title)}"` : '';
    return `<a href="${escapeAttribute(target.href)}"${title}>${label || escapeXml(target.href)}</a>`;
  }
  const path = `<code>${escapeXml(target.path)}</code>`;
  return plainText(token.tokens) === target.path || !label ? path : `${label} (${path})`;
}

function renderImage(token: Tokens.Image, context: Context): string {
  const alt = plainText(token.tokens ?? []) || token.text;
  const target = context.resolveLink(token.href);
  if (target.kind === 'url' && /^https?:/i.test(token.href)) {
    return `<ac:image ac:alt="${escapeAttribute(alt)}"><ri:url ri:value="${escapeAttribute(target.href)}" /></ac:image>`;
  }
  // Repository images would need uploading as attachments; a link to them is the honest fallback.
  if (target.kind === 'url')
    return `<a href="${escapeAttribute(target.href)}">${escapeXml(alt || target.href)}</a>`;
  if (target.kind === 'path') return `${escapeXml(alt)} (<code>${escapeXml(target.path)}</code>)`;
  return escapeXml(alt);
}

// undefined for block-level tokens, which the caller renders as blocks.
function renderInlineToken(token: MarkedToken, context: Context): string | undefined {
  switch (token.type) {
    case 'text':
      // A soft line break is a space in Markdown; Confluence would keep the newline in some editors.
      return token.tokens
        ? renderInline(token.tokens, context)
        : escapeXml(decodeEntities(token.raw).replace(/\s*\n\s*/g, ' '));
    case 'escape':
      return escapeXml(token.text);
    case 'codespan':
      return `<code>${escapeXml(token.text)}</code>`;
    case 'strong':
      return `<strong>${renderInline(token.tokens, context)}</strong>`;
    case 'em':
      return `<em>${renderInline(token.tokens, context)}</em>`;
    case 'del':
      return `<del>${renderInline(token.tokens, context)}</del>`;
    case 'br':
      return '<br />';
    case 'link':
      return renderLink(token, context);
    case 'image':
      return renderImage(token, context);
    case 'html':
      return renderHtml(token.text, false);
    case 'checkbox':
      return token.checked ? '☑ ' : '☐ ';
    default:
      return undefined;
  }
}

function renderInline(tokens: readonly Token[], context: Context): string {
  return (tokens as readonly MarkedToken[])
    .map((token) => renderInlineToken(token, context) ?? renderBlock(token, context))
    .join('');
}

function renderList(token: Tokens.List, context: Context): string {
  const items = token.items.map((item) => `<li>${renderBlocks(item.tokens, context)}</li>`).join('');
  if (!token.ordered) return `<ul>${items}</ul>`;
  const start = typeof token.start === 'number' && token.start !== 1 ? ` start="${token.start}"` : '';
  return `<ol${start}>${items}</ol>`;
}

function renderTable(token: Tokens.Table, context: Context): string {
  const cell = (tag: 'th' | 'td', item: Tokens.TableCell) =>
    `<${tag}>${renderInline(item.tokens, context)}</${tag}>`;
  // Confluence keeps header rows inside tbody (as th cells); a thead is rewritten on first edit.
  const header = `<tr>${token.header.map((item) => cell('th', item)).join('')}</tr>`;
  const rows = token.rows.map((row) => `<tr>${row.map((item) => cell('td', item)).join('')}</tr>`).join('');
  return `<table><tbody>${header}${rows}</tbody></table>`;
}

function renderBlock(token: MarkedToken, context: Context): string {
  switch (token.type) {
    case 'space':
    case 'def':
      return '';
    case 'heading':
      return `<h${token.depth}>${renderInline(token.tokens, context)}</h${token.depth}>`;
    case 'paragraph':
      return `<p>${renderInline(token.tokens, context)}</p>`;
    case 'code':
      return codeMacro(token.text, token.lang);
    case 'blockquote':
      return `<blockquote>${renderBlocks(token.tokens, context)}</blockquote>`;
    case 'list':
      return renderList(token, context);
    case 'table':
      return renderTable(token, context);
    case 'hr':
      return '<hr />';
    case 'html':
      return renderHtml(token.text, true);
    case 'list_item':
      return renderBlocks(token.tokens, context);
    default:
      // Tight list items hold inline-level tokens directly.
      return renderInlineToken(token, context) ?? '';
  }
}

function renderBlocks(tokens: readonly Token[], context: Context): string {
  return (tokens as readonly MarkedToken[]).map((token) => renderBlock(token, context)).join('');
}

export function markdownToStorage(markdown: string, options: StorageOptions): string {
  const tokens = lexMarkdown(markdown);
  const skip = options.dropTitleHeading ? titleHeadingIndex(tokens) : -1;
  const context = { resolveLink: options.resolveLink };
  return tokens
    .filter((_, index) => index !== skip)
    .map((token) => renderBlock(token, context))
    .filter((part) => part !== '')
    .join('\n');
}
