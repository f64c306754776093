import { compileGlob, type Glob, matchesEverything, matchGlob } from './glob.ts';
import type { Context } from './types.ts';
import { type Template, templateGlobPieces } from './variables.ts';

// A glob written in a policy (Resource, NotResource, StringLike values) that
// may hold policy variables (policy-spec §4). Without variables it is compiled
// once; with variables it is substituted per request, the substituted text
// being literal.

export interface Pattern {
  /** The compiled glob when the pattern has no variables. */
  readonly glob: Glob | null;
  readonly template: Template;
}

const NO_CONTEXT: Context = Object.freeze({});

export function compilePattern(template: Template): Pattern {
  const pieces = template.hasVariables ? undefined : templateGlobPieces(template, NO_CONTEXT);
  return { glob: pieces === undefined ? null : compileGlob(pieces), template };
}

/** True when the pattern matches every string, whatever the request. */
export const matchesAnything = (pattern: Pattern): boolean =>
  pattern.glob !== null && matchesEverything(pattern.glob);

/** Whether `text` matches; undefined when a variable has no value (§4: such a pattern matches nothing). */
export function matchPattern(pattern: Pattern, text: string, context: Context): boolean | undefined {
  if (pattern.glob !== null) return matchGlob(pattern.glob, text);
  const pieces = templateGlobPieces(pattern.template, context);
  return pieces === undefined ? undefined : matchGlob(compileGlob(pieces), text);
}
