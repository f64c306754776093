// Linear-time glob matching for actions, resources and StringLike values.
// policy-spec §3: `*` matches any sequence (including `/` and the empty string),
// `?` matches exactly one character, and the whole string must match. The spec
// asks for a matcher that a hostile `*a*a*a...` pattern cannot blow up, so no
// backtracking regex is used: the pattern is split on `*` into fixed-length
// segments and each segment is placed at its leftmost possible position. With
// fixed-length segments the leftmost placement always leaves the most room for
// the rest, so no earlier choice is ever revisited and the cost is bounded by
// O(text length × pattern length).
//
// A "character" is one UTF-16 code unit, as for JavaScript string indexing.

/** A run of pattern text; `wild: false` marks substituted text whose `*`/`?` are literal. */
export interface GlobPiece {
  readonly text: string;
  readonly wild: boolean;
}

/** Literal text, or a number = that many `?` (any single character). */
type Part = string | number;

interface Segment {
  readonly parts: readonly Part[];
  readonly length: number;
  /** The segment's text when it has no `?`, so native search can be used. */
  readonly plain: string | null;
}

const EXACT = 0;
const ANY = 1;
const PREFIX = 2;
const SUFFIX = 3;
const FIXED = 4;
const GENERAL = 5;
type GlobKind = typeof EXACT | typeof ANY | typeof PREFIX | typeof SUFFIX | typeof FIXED | typeof GENERAL;

export interface Glob {
  readonly kind: GlobKind;
  /** EXACT / PREFIX / SUFFIX: the literal to compare. */
  readonly literal: string;
  /** FIXED: one segment; GENERAL: first, middle..., last (first/last may be empty). */
  readonly segments: readonly Segment[];
  readonly minLength: number;
}

const STAR = 42; // '*'
const QUESTION = 63; // '?'

function makeSegment(parts: Part[]): Segment {
  let length = 0;
  for (const part of parts) length += typeof part === 'number' ? part : part.length;
  const only = parts[0];
  const plain = parts.length === 0 ? '' : parts.length === 1 && typeof only === 'string' ? only : null;
  return { parts, length, plain };
}

/** Splits pieces on wildcard `*` into segments of literal runs and `?` counts. */
function toSegments(pieces: readonly GlobPiece[]): Segment[] {
  const segments: Segment[] = [];
  let parts: Part[] = [];
  const pushLiteral = (text: string): void => {
    if (text === '') return;
    const last = parts[parts.length - 1];
    if (typeof last === 'string') parts[parts.length - 1] = last + text;
    else parts.push(text);
  };
  const pushAny = (): void => {
    const last = parts[parts.length - 1];
    if (typeof last === 'number') parts[parts.length - 1] = last + 1;
    else parts.push(1);
  };
  for (const piece of pieces) {
    if (!piece.wild) {
      pushLiteral(piece.text);
      continue;
    }
    let runStart = 0;
    for (let i = 0; i < piece.text.length; i++) {
      const code = piece.text.charCodeAt(i);
      if (code !== STAR && code !== QUESTION) continue;
      pushLiteral(piece.text.slice(runStart, i));
      runStart = i + 1;
      if (code === QUESTION) {
        pushAny();
      } else {
        segments.push(makeSegment(parts));
        parts = [];
      }
    }
    pushLiteral(piece.text.slice(runStart));
  }
  segments.push(makeSegment(parts));
  return segments;
}

const NO_SEGMENTS: readonly Segment[] = [];

export function compileGlob(pattern: string | readonly GlobPiece[]): Glob {
  const segments = toSegments(typeof pattern === 'string' ? [{ text: pattern, wild: true }] : pattern);
  const first = segments[0] ?? makeSegment([]);
  const last = segments[segments.length - 1] ?? first;
  if (segments.length === 1) {
    return first.plain === null
      ? { kind: FIXED, literal: '', segments, minLength: first.length }
      : { kind: EXACT, literal: first.plain, segments: NO_SEGMENTS, minLength: first.length };
  }
  // Empty middle segments come from `**`; they constrain nothing.
  const kept = [first, ...segments.slice(1, -1).filter((s) => s.length > 0), last];
  const minLength = kept.reduce((sum, s) => sum + s.length, 0);
  if (minLength === 0) return { kind: ANY, literal: '', segments: NO_SEGMENTS, minLength };
  if (kept.length === 2 && last.length === 0 && first.plain !== null) {
    return { kind: PREFIX, literal: first.plain, segments: NO_SEGMENTS, minLength };
  }
  if (kept.length === 2 && first.length === 0 && last.plain !== null) {
    return { kind: SUFFIX, literal: last.plain, segments: NO_SEGMENTS, minLength };
  }
  return { kind: GENERAL, literal: '', segments: kept, minLength };
}

function matchesAt(segment: Segment, text: string, at: number): boolean {
  let pos = at;
  for (const part of segment.parts) {
    if (typeof part === 'number') {
      pos += part;
    } else {
      if (!text.startsWith(part, pos)) return false;
      pos += part.length;
    }
  }
  return pos <= text.length;
}

/** Leftmost position ≥ from where `segment` fits entirely before `limit`, or -1. */
function findSegment(segment: Segment, text: string, from: number, limit: number): number {
  const lastStart = limit - segment.length;
  if (segment.plain !== null) {
    const at = text.indexOf(segment.plain, from);
    return at !== -1 && at <= lastStart ? at : -1;
  }
  for (let at = from; at <= lastStart; at++) if (matchesAt(segment, text, at)) return at;
  return -1;
}

function matchGeneral(glob: Glob, text: string): boolean {
  const { segments } = glob;
  const first = segments[0];
  const last = segments[segments.length - 1];
  if (first === undefined || last === undefined) return false;
  const tailStart = text.length - last.length;
  if (!matchesAt(first, text, 0) || !matchesAt(last, text, tailStart)) return false;
  let pos = first.length;
  for (let i = 1; i < segments.length - 1; i++) {
    const segment = segments[i];
    if (segment === undefined) return false;
    const at = findSegment(segment, text, pos, tailStart);
    if (at === -1) return false;
    pos = at + segment.length;
  }
  return true;
}

export function matchGlob(glob: Glob, text: string): boolean {
  if (text.length < glob.minLength) return false;
  switch (glob.kind) {
    case EXACT:
      return text === glob.literal;
    case ANY:
      return true;
    case PREFIX:
      return text.startsWith(glob.literal);
    case SUFFIX:
      return text.endsWith(glob.literal);
    case FIXED: {
      const only = glob.segments[0];
      return only !== undefined && text.length === only.length && matchesAt(only, text, 0);
    }
    default:
      return matchGeneral(glob, text);
  }
}

/** True when the glob matches every string (`*`, `**`, ...). */
export const matchesEverything = (glob: Glob): boolean => glob.kind === ANY;

/** True when the pattern text contains no wildcard, so it can be indexed by equality. */
export const isLiteralPattern = (pattern: string): boolean => !/[*?]/.test(pattern);
