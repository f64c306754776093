import { isUuid } from '../db/index.ts';

/** The name as stored and shown: without surrounding spaces, in Unicode NFC. */
export function cleanGroupName(name: string): string {
  return name.trim().normalize('NFC');
}

/**
 * The form names are compared in, so "Admins", " admins" and a decomposed "Ädmins" cannot
 * coexist with their look-alikes in one tenant.
 */
export function normalizeGroupName(name: string): string {
  return cleanGroupName(name).toLowerCase();
}

/**
 * An id from a request in the stored (lowercase) form, or undefined when it is not a UUID: such an
 * id names nothing, and must never reach PostgreSQL's uuid cast.
 */
export function canonicalId(raw: string): string | undefined {
  const id = raw.toLowerCase();
  return isUuid(id) ? id : undefined;
}

/** A pattern for SQL `LIKE … ESCAPE '\'` that matches values starting with `prefix` literally. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, '\\$&')}%`;
}
