// SQLite extended result codes: SQLITE_CONSTRAINT_PRIMARYKEY (1555) and SQLITE_CONSTRAINT_UNIQUE (2067).
const SQLITE_UNIQUE = new Set([1555, 2067]);

/** True for a unique-constraint violation on either dialect (PostgreSQL 23505, SQLite 1555/2067). */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; errcode?: unknown; errstr?: unknown; message?: unknown };
  if (e.code === '23505') return true;
  return e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number' && SQLITE_UNIQUE.has(e.errcode);
}

/** True when the database could not be reached or the connection dropped, as opposed to a bad query. */
export function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EPIPE',
      'ENOTFOUND',
      '57P01',
      '57P02',
      '57P03',
      '08006',
      '08001',
      '08000',
    ].includes(code)
  ) {
    return true;
  }
  return /Connection terminated|Query read timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
    String(e.message ?? ''),
  );
}
