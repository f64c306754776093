import { fromBool, fromJson } from '../db/index.ts';
import { versionTag } from '../http/index.ts';
import type { UserRow } from './user-repository.ts';
import type { UserView } from './user-schemas.ts';

export function userView(row: Omit<UserRow, 'password_hash'>): UserView {
  return {
    id: row.id,
    email: row.email,
    email_verified: fromBool(row.email_verified),
    status: row.status,
    status_reason: row.status_reason,
    name: row.name,
    given_name: row.given_name,
    family_name: row.family_name,
    locale: row.locale,
    zoneinfo: row.zoneinfo,
    phone_number: row.phone_number,
    attributes: fromJson<Record<string, unknown>>(row.attributes),
    created_at: row.created_at,
    updated_at: row.updated_at,
    last_login_at: row.last_login_at,
    deleted_at: row.deleted_at,
  };
}

/** Strong validator for `ETag` / `If-Match` (RFC 9110 §8.8.3): changes with every update. */
export function etagOf(row: Pick<UserRow, 'id' | 'version'>): string {
  return versionTag(row.id, row.version);
}
