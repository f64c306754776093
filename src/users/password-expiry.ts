import type { TenantSettings } from '../tenants/index.ts';
import type { UserRow } from './user-repository.ts';

const DAY_MS = 86_400_000;

/**
 * When the user's password expires under the tenant's `password_expiry.max_age_days`, or null when
 * passwords do not expire there (or the user has none). Its age counts from the last change, or
 * from the account's creation for a password set then.
 */
export function passwordExpiresAt(
  user: Pick<UserRow, 'password_hash' | 'password_changed_at' | 'created_at'>,
  settings: Pick<TenantSettings, 'password_expiry'>,
): Date | null {
  const days = settings.password_expiry.max_age_days;
  if (days === 0 || !user.password_hash) return null;
  return new Date(Date.parse(user.password_changed_at ?? user.created_at) + days * DAY_MS);
}

export function passwordExpired(
  user: Pick<UserRow, 'password_hash' | 'password_changed_at' | 'created_at'>,
  settings: Pick<TenantSettings, 'password_expiry'>,
  now: Date,
): boolean {
  const expiresAt = passwordExpiresAt(user, settings);
  return expiresAt !== null && expiresAt <= now;
}
