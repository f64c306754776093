import { type Context, type ContextValue, flattenContext } from './engine/index.ts';

// Request contexts arrive nested (`{subject: {...}, request: {...}, resource: {...}}`) and are
// flattened to the dotted keys of policy-spec §6. Keys the service knows better than the caller
// (who the subject is) override whatever the caller sent; keys it can supply when the caller did
// not (the time) fill the gaps only.

/** Nested context plus the service's own keys; throws a TypeError on a context that cannot be flattened. */
export function buildContext(
  nested: Readonly<Record<string, unknown>> | undefined,
  options: { overrides?: Context; defaults?: Context } = {},
): Context {
  // flattenContext returns a fresh object with lower-cased keys, so own keys compare exactly.
  const flat = flattenContext(nested ?? {}) as Record<string, ContextValue>;
  for (const [key, value] of Object.entries(options.defaults ?? {}))
    if (value !== undefined && !Object.hasOwn(flat, key)) flat[key] = value;
  for (const [key, value] of Object.entries(options.overrides ?? {}))
    if (value !== undefined) flat[key] = value;
  return flat;
}

/** policy-spec §6 `request.time` (ISO 8601), for callers that left it out. */
export const timeDefault = (now: Date): Context => ({ 'request.time': now.toISOString() });
