import { type ContextKey, contextKey, isList, lookup, toText } from './context.ts';
import type { GlobPiece } from './glob.ts';
import type { Context } from './types.ts';

// Policy variables, policy-spec §4: `${key}`, `${key, 'default'}` and the
// escapes `${*}`, `${?}`, `${$}`. Only Version 2012-10-17 enables them (§1);
// otherwise the text is literal and this module is not consulted.

type TemplatePart =
  /** Policy text: inside a glob its `*` and `?` keep their wildcard meaning. */
  | { readonly kind: 'text'; readonly text: string }
  /** Text produced by `${*}`, `${?}` or `${$}`: never a wildcard. */
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'var'; readonly key: ContextKey; readonly fallback: string | undefined };

export interface Template {
  readonly parts: readonly TemplatePart[];
  readonly hasVariables: boolean;
}

const ESCAPES = new Set(['*', '?', '$']);
// Keys look like `subject.id` or `resource.tag/team-name`.
const VARIABLE = /^([A-Za-z0-9._:/-]+)(?:\s*,\s*'([^']*)')?$/;

/** Returns the parsed template, or an error message for malformed `${...}`. */
export function parseTemplate(source: string, variables: boolean): Template | string {
  if (!variables || !source.includes('${')) {
    return { parts: [{ kind: 'text', text: source }], hasVariables: false };
  }
  const parts: TemplatePart[] = [];
  let hasVariables = false;
  let pos = 0;
  while (pos < source.length) {
    const open = source.indexOf('${', pos);
    if (open === -1) {
      parts.push({ kind: 'text', text: source.slice(pos) });
      break;
    }
    if (open > pos) parts.push({ kind: 'text', text: source.slice(pos, open) });
    const close = source.indexOf('}', open + 2);
    if (close === -1) return `unterminated policy variable at offset ${open}`;
    const body = source.slice(open + 2, close);
    const match = VARIABLE.exec(body);
    if (ESCAPES.has(body)) {
      parts.push({ kind: 'literal', text: body });
    } else if (match?.[1] !== undefined) {
      parts.push({ kind: 'var', key: contextKey(match[1]), fallback: match[2] });
      hasVariables = true;
    } else {
      return `malformed policy variable "\${${body}}"`;
    }
    pos = close + 1;
  }
  return { parts, hasVariables };
}

/**
 * The variable's value, or its default when the key has no value; undefined
 * when neither exists. §4: a multivalued key cannot be a variable, so an array
 * counts as no value.
 */
function resolveVariable(
  key: ContextKey,
  fallback: string | undefined,
  context: Context,
): string | undefined {
  const value = lookup(context, key);
  if (value === undefined || isList(value)) return fallback;
  return toText(value);
}

/** Substitutes every part into one string; undefined when a variable has no value. */
export function renderTemplate(template: Template, context: Context): string | undefined {
  const only = template.parts[0];
  if (template.parts.length === 1 && only?.kind === 'var')
    return resolveVariable(only.key, only.fallback, context);
  let out = '';
  for (const part of template.parts) {
    if (part.kind === 'var') {
      const value = resolveVariable(part.key, part.fallback, context);
      if (value === undefined) return undefined;
      out += value;
    } else {
      out += part.text;
    }
  }
  return out;
}

/**
 * Glob pieces for a template. §4 [inference, security]: substituted values
 * (and defaults) are literal, so `subject.id = "*"` never becomes a wildcard.
 */
export function templateGlobPieces(template: Template, context: Context): GlobPiece[] | undefined {
  const pieces: GlobPiece[] = [];
  for (const part of template.parts) {
    if (part.kind === 'var') {
      const value = resolveVariable(part.key, part.fallback, context);
      if (value === undefined) return undefined;
      pieces.push({ text: value, wild: false });
    } else {
      pieces.push({ text: part.text, wild: part.kind === 'text' });
    }
  }
  return pieces;
}

/** The template's text with escapes applied, for values that hold no variables. */
export const templateText = (template: Template): string =>
  template.parts.map((part) => (part.kind === 'var' ? '' : part.text)).join('');
