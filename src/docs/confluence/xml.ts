// XML text helpers for Confluence storage format, which is parsed as XML: one stray `&` or `<` makes
// Confluence refuse the whole page, so every piece of text goes through here.

// Characters XML 1.0 forbids outright (C0 controls other than tab, newline and carriage return, lone
// surrogates, U+FFFE/U+FFFF); they cannot be escaped, only dropped.
const FORBIDDEN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding these characters is the purpose.
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

// For text nodes; quotes stay as they are, which keeps code-heavy text readable in the storage view.
export function escapeXml(text: string): string {
  return text.replace(FORBIDDEN, '').replace(/[&<>]/g, (char) => ESCAPES[char] ?? char);
}

// For attribute values, which are always written double-quoted.
export function escapeAttribute(text: string): string {
  return text.replace(FORBIDDEN, '').replace(/[&<>"]/g, (char) => ESCAPES[char] ?? char);
}

// A CDATA section cannot contain `]]>`; the standard trick ends the section between `]]` and `>` and
// opens a new one, so the concatenated content is unchanged.
export function cdata(text: string): string {
  return `<![CDATA[${text.replace(FORBIDDEN, '').replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

// The named references Markdown writers actually use; XML knows only five names, so each is turned
// into its character (and escaped again on output) rather than passed through as an undefined entity.
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  trade: '™',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  laquo: '«',
  raquo: '»',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  larr: '←',
  rarr: '→',
  harr: '↔',
  uarr: '↑',
  darr: '↓',
  times: '×',
  middot: '·',
  bull: '•',
  deg: '°',
  plusmn: '±',
  le: '≤',
  ge: '≥',
  ne: '≠',
  euro: '€',
  sect: '§',
  para: '¶',
  shy: '\u00ad',
  zwj: '\u200d',
  zwnj: '\u200c',
};

// Unknown names are left as written, so they show up literally (escaped) instead of vanishing.
export function decodeEntities(text: string): string {
  return text.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z][A-Za-z0-9]{1,31}));/g,
    (whole, dec, hex, name) => {
      if (name !== undefined) return NAMED[name] ?? whole;
      const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex, 16);
      // CommonMark replaces invalid code points with U+FFFD.
      const valid = code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff);
      return valid ? String.fromCodePoint(code) : '\uFFFD';
    },
  );
}
