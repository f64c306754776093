import { toJson } from '../db/index.ts';
import { type FieldError, ValidationError } from '../http/index.ts';
import type { TenantSettings } from '../tenants/index.ts';
import { cleanEmail, normalizeEmail } from './email.ts';
import type { UserChanges } from './user-repository.ts';
import type { ProfileFields } from './user-schemas.ts';

const ZONES = new Set(Intl.supportedValuesOf('timeZone'));
ZONES.add('UTC');

/**
 * Turns validated profile input into column changes, with the checks a schema cannot express: the
 * IANA zone list, the tenant's cap on `attributes`, and the cleaned email.
 */
export function profileChanges(
  body: ProfileFields & { email?: string },
  settings: TenantSettings,
): UserChanges {
  const errors: FieldError[] = [];
  const changes: UserChanges = {};
  for (const field of ['name', 'given_name', 'family_name', 'locale', 'phone_number'] as const) {
    const value = body[field];
    if (value !== undefined) changes[field] = value === null ? null : value.trim() || null;
  }
  if (body.zoneinfo !== undefined) {
    if (body.zoneinfo !== null && !ZONES.has(body.zoneinfo))
      errors.push({ pointer: '/zoneinfo', message: 'must be an IANA time zone', in: 'body' });
    changes.zoneinfo = body.zoneinfo;
  }
  if (body.attributes !== undefined) {
    const json = toJson(body.attributes);
    if (Buffer.byteLength(json) > settings.users.attributes_max_bytes) {
      errors.push({
        pointer: '/attributes',
        message: `must be at most ${settings.users.attributes_max_bytes} bytes of JSON`,
        in: 'body',
      });
    }
    changes.attributes = json;
  }
  if (body.email !== undefined) {
    try {
      changes.email = cleanEmail(body.email);
      changes.email_normalized = normalizeEmail(changes.email);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(...error.errors);
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return changes;
}
