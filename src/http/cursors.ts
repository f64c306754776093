import { isUuid } from '../db/index.ts';
import { AppError } from './app-error.ts';
import { type CursorKey, decodeCursor } from './pagination.ts';

// Cursors come back from clients, so their contents are checked before they reach a query: on
// PostgreSQL a malformed uuid or timestamp in a keyset comparison would be a cast error (a 500),
// not the 400 `IAM_ERR_INVALID_CURSOR` a tampered cursor deserves.

const isTime = (value: unknown) =>
  typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
const isId = (value: unknown) => typeof value === 'string' && isUuid(value);
const isText = (value: unknown) => typeof value === 'string';

function checked(cursor: string | undefined, arity: number, valid: (key: CursorKey) => boolean) {
  const key = decodeCursor(cursor, arity);
  if (key !== undefined && !valid(key))
    throw new AppError('IAM_ERR_INVALID_CURSOR', 'The cursor is not valid for this list.');
  return key;
}

/** A cursor of one id (lists ordered by UUIDv7 id). */
export const idCursor = (cursor: string | undefined) => checked(cursor, 1, ([id]) => isId(id));

/** A cursor of (time, id): lists ordered by a timestamp, then id. */
export const createdCursor = (cursor: string | undefined) =>
  checked(cursor, 2, ([at, id]) => isTime(at) && isId(id));

/** A cursor of (text, id): lists ordered by a text column, then id. */
export const textIdCursor = (cursor: string | undefined) =>
  checked(cursor, 2, ([text, id]) => isText(text) && isId(id));

/** A cursor of one positive integer (version numbers). */
export const numberCursor = (cursor: string | undefined) =>
  checked(cursor, 1, ([n]) => Number.isSafeInteger(n) && Number(n) > 0);
