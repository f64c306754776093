import type { Context, ContextScalar, ContextValue } from './types.ts';

// Request-context access. policy-spec §5: condition key names are
// case-insensitive; §4: so are variable names; §6: a key that does not apply
// is absent, and the missing-key rules depend on that.

/** A context key as written in a policy, pre-lowered once at compile time. */
export interface ContextKey {
  readonly raw: string;
  readonly lower: string;
}

export const contextKey = (raw: string): ContextKey => ({ raw, lower: raw.toLowerCase() });

function isScalar(value: unknown): value is ContextScalar {
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean';
}

/** Narrows a context value to its multivalued form (TS's Array.isArray misses readonly arrays). */
export const isList = (value: ContextValue): value is readonly ContextScalar[] => Array.isArray(value);

const ownKey = Object.prototype.hasOwnProperty;

/**
 * Own properties only: an inherited `constructor`, or a value planted on
 * Object.prototype by prototype pollution, must never look like a present key.
 */
function own(context: Context, name: string): unknown {
  const value = context[name];
  return value !== undefined && ownKey.call(context, name) ? value : undefined;
}

function checked(value: unknown, name: string): ContextValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (isScalar(value)) return value;
  if (Array.isArray(value) && value.every(isScalar)) return value;
  // Evaluation fails closed on malformed input (policy-spec §1); the caller turns this into a deny.
  throw new TypeError(`context key "${name}" holds an unsupported value`);
}

/**
 * Case-insensitive lookup. Lower-case keys (as produced by `flattenContext`)
 * hit on the first probe; other spellings fall back to a scan.
 */
export function lookup(context: Context, key: ContextKey): ContextValue | undefined {
  const direct = own(context, key.lower);
  if (direct !== undefined) return checked(direct, key.lower);
  if (key.raw !== key.lower) {
    const asWritten = own(context, key.raw);
    if (asWritten !== undefined) return checked(asWritten, key.raw);
  }
  for (const name in context) {
    if (sameKey(name, key.lower)) return checked(own(context, name), name);
  }
  return undefined;
}

/** `name.toLowerCase() === lower` without allocating for ASCII names, the common case. */
function sameKey(name: string, lower: string): boolean {
  let ascii = true;
  for (let i = 0; i < name.length; i++) {
    let code = name.charCodeAt(i);
    if (code >= 128) {
      ascii = false;
      break;
    }
    if (code >= 65 && code <= 90) code += 32;
    // ASCII lower-casing maps one code unit to one, so a mismatch here is final.
    if (code !== lower.charCodeAt(i)) return false;
  }
  return ascii ? name.length === lower.length : name.toLowerCase() === lower;
}

/** policy-spec §5 notes: scalars compare as text; numbers as decimal text, booleans as "true"/"false". */
export const toText = (value: ContextScalar): string => (typeof value === 'string' ? value : String(value));

function put(out: Record<string, ContextValue>, name: string, value: ContextValue): void {
  // 'Subject.Id' and 'subject.id' (or `subject: { id }` next to 'subject.id') would be ambiguous.
  if (Object.hasOwn(out, name)) throw new TypeError(`context key "${name}" is given more than once`);
  // Plain assignment to "__proto__" would change the prototype instead of adding a key.
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true });
  else out[name] = value;
}

function flattenInto(out: Record<string, ContextValue>, prefix: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError(`context key "${prefix}" holds an invalid Date`);
    put(out, prefix, value.toISOString());
    return;
  }
  if (isScalar(value)) {
    put(out, prefix, value);
    return;
  }
  if (Array.isArray(value)) {
    if (!value.every(isScalar)) throw new TypeError(`context key "${prefix}" must be an array of scalars`);
    put(out, prefix, [...value]);
    return;
  }
  if (typeof value === 'object') {
    for (const [name, inner] of Object.entries(value)) {
      flattenInto(out, prefix === '' ? name.toLowerCase() : `${prefix}.${name.toLowerCase()}`, inner);
    }
    return;
  }
  throw new TypeError(`context key "${prefix}" holds an unsupported ${typeof value}`);
}

/**
 * Turns `{ subject: { id: 'u1' } }` into `{ 'subject.id': 'u1' }` (policy-spec §6).
 * Keys are lower-cased so lookups take the fast path; arrays of scalars stay
 * arrays; null and undefined are dropped so the key counts as missing; a Date
 * becomes ISO 8601 text. Two keys that differ only in case are ambiguous and rejected.
 */
export function flattenContext(nested: Record<string, unknown>): Context {
  // A plain object keeps V8's fast properties; lookups check own keys, so inherited names are harmless.
  const out: Record<string, ContextValue> = {};
  flattenInto(out, '', nested);
  return out;
}
