// Comparable form of a storage body. Confluence does not hand back exactly what it was given: it adds
// macro ids, schema versions and link versions, and re-serialises whitespace, empty elements and
// character references. Without this, every run would see a difference and re-version every page.
import { decodeEntities } from './xml.ts';

const VOLATILE_ATTRIBUTES =
  /\s(?:ac:macro-id|ac:schema-version|ac:local-id|local-id|ri:version-at-save)="[^"]*"/g;

function normaliseMarkup(markup: string): string {
  return (
    decodeEntities(markup.replace(VOLATILE_ATTRIBUTES, ''))
      // Whatever the serialiser chose for quotes and markup characters, compare the characters.
      .replace(/\s*\/>/g, '/>')
      .replace(/>\s+</g, '><')
      .replace(/\s+/g, ' ')
  );
}

export function normaliseStorage(storage: string): string {
  // CDATA sections (code) are compared verbatim, and split sections are joined back together.
  const parts = storage.replaceAll(']]]]><![CDATA[>', ']]>').split(/(<!\[CDATA\[[\s\S]*?\]\]>)/);
  return parts
    .map((part, index) => (index % 2 === 1 ? part : normaliseMarkup(part)))
    .join('')
    .trim();
}
