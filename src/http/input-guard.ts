import type { FastifyInstance } from 'fastify';
import { type FieldError, ValidationError } from './app-error.ts';

// What no field of any request (body, query or path) may hold, checked once for every route before
// validation: NUL characters and lone UTF-16 surrogates (PostgreSQL's text and jsonb refuse both, so they would
// surface as server errors, and nothing legitimate needs them), and nesting deeper than any
// document here has (policies, attributes and settings stay far below it; unbounded depth would
// let a small body exhaust the stack of code that walks it).
export const MAX_NESTING = 32;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const escapePointer = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters';
  if (LONE_SURROGATE.test(text)) return 'must be valid Unicode (no lone surrogates)';
  return undefined;
}

/** The first problem in a parsed value, with its JSON pointer (RFC 6901), or undefined. */
export function inspectInput(
  value: unknown,
  pointer = '',
  depth = 0,
): { pointer: string; message: string } | undefined {
  if (typeof value === 'string') {
    const message = textProblem(value);
    return message ? { pointer: pointer || '/', message } : undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_NESTING)
    return { pointer: pointer || '/', message: `is nested deeper than ${MAX_NESTING} levels` };
  for (const [key, child] of Object.entries(value)) {
    const at = `${pointer}/${escapePointer(key)}`;
    const keyMessage = textProblem(key);
    if (keyMessage) return { pointer: at, message: `has a key that ${keyMessage}` };
    const found = inspectInput(child, at, depth + 1);
    if (found) return found;
  }
  return undefined;
}

export function registerInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['body', request.body],
      ['query', request.query],
      ['path', request.params],
    ] as const) {
      const found = inspectInput(value);
      if (found) {
        const error: FieldError = { ...found, in: part };
        throw new ValidationError([error], 'The request holds characters or nesting no field may have.');
      }
    }
  });
}
