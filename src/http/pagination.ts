import type { FastifyReply, FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { AppError } from './app-error.ts';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })),
  cursor: Type.Optional(Type.String({ maxLength: 512, description: 'Opaque cursor from `next_cursor`.' })),
};

/** The position after the last row of a page: the sort key values of that row. */
export type CursorKey = readonly (string | number)[];

/** Cursors are opaque to clients: base64url of the keyset position (they grant nothing by themselves). */
export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): CursorKey | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((v) => (typeof v === 'string' && v.length <= 256) || Number.isFinite(v))
    ) {
      return key as CursorKey;
    }
  } catch {
    // fall through to the problem below
  }
  throw new AppError('IAM_ERR_INVALID_CURSOR', 'The cursor is not valid for this list.');
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/**
 * Builds a page from `limit + 1` fetched rows and sets the RFC 8288 `Link: rel="next"` header,
 * so clients can follow pages without building URLs themselves.
 */
export function toPage<R, T>(
  request: FastifyRequest,
  reply: FastifyReply,
  rows: R[],
  limit: number,
  keyOf: (row: R) => CursorKey,
  view: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows.at(-1);
  const next = more && last !== undefined ? encodeCursor(keyOf(last)) : null;
  if (next) {
    const url = new URL(request.url, 'http://placeholder');
    url.searchParams.set('cursor', next);
    url.searchParams.set('limit', String(limit));
    reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return { items: pageRows.map(view), next_cursor: next };
}

export const pageSchema = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), next_cursor: Type.Union([Type.String(), Type.Null()]) });
