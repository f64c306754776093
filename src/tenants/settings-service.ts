import { Value } from 'typebox/value';
import type { Clock } from '../clock.ts';
import { type Database, fromJson, toJson } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { type FieldError, ValidationError } from '../http/index.ts';
import type { TenantDirectory } from './tenant-directory.ts';
import { type TenantSettings, TenantSettingsSchema } from './tenant-settings.ts';

/** How write-only settings read back: set, but not shown. */
export const MASK = '********';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7396 JSON merge patch: objects merge, `null` removes (back to the default), the rest replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Settings as administrators read them: secrets masked. */
export function maskSettings(settings: TenantSettings): TenantSettings {
  const secret = settings.captcha.secret_key;
  return secret ? { ...settings, captcha: { ...settings.captcha, secret_key: MASK } } : settings;
}

/** Regular expressions the bot filter will run on every sign-in: each must compile and be safe. */
function patternErrors(settings: TenantSettings, validPattern: (source: string) => boolean): FieldError[] {
  const errors: FieldError[] = [];
  for (const list of ['allow', 'deny'] as const) {
    settings.bot_filter[list].forEach((source, i) => {
      if (!validPattern(source)) {
        const message = 'is not a valid regular expression, or one that could backtrack without bound';
        errors.push({ pointer: `/bot_filter/${list}/${i}`, message, in: 'body' });
      }
    });
  }
  return errors;
}

/** Every problem of the would-be settings, as JSON pointers into the patch. */
function validate(
  stored: unknown,
  validPattern: (source: string) => boolean,
): { settings: TenantSettings; errors: FieldError[] } {
  const merged = Value.Default(TenantSettingsSchema, structuredClone(stored)) as TenantSettings;
  const errors: FieldError[] = [...Value.Errors(TenantSettingsSchema, merged)].map((e) => ({
    pointer: e.instancePath || '/',
    message: e.message,
    in: 'body' as const,
  }));
  return { settings: merged, errors: errors.length > 0 ? errors : patternErrors(merged, validPattern) };
}

/** Reading and changing a tenant's settings; changes apply on every process within a second. */
export function createSettingsService(deps: {
  database: Database;
  clock: Clock;
  directory: TenantDirectory;
  /** The bot filter's judgement of a tenant pattern (security module). */
  validPattern: (source: string) => boolean;
}) {
  const { database, clock, directory } = deps;

  return {
    async patch(tenant: { id: string; slug: string }, patch: Json, actorId: string): Promise<TenantSettings> {
      // The mask read back from GET means "unchanged", so a form can send the settings back whole.
      const captcha = patch.captcha;
      if (isObject(captcha) && captcha.secret_key === MASK) delete captcha.secret_key;
      const now = clock.now();
      const settings = await database.transaction(async (trx) => {
        // Two administrators patching at once: the second reads the first one's result (PostgreSQL
        // row lock; SQLite has a single writer).
        const query = trx.selectFrom('tenants').select('settings').where('id', '=', tenant.id);
        const row = await (database.dialect === 'postgres'
          ? query.forUpdate()
          : query
        ).executeTakeFirstOrThrow();
        const stored = mergePatch(fromJson(row.settings) ?? {}, patch);
        const { settings, errors } = validate(stored, deps.validPattern);
        if (errors.length > 0) throw new ValidationError(errors, 'The settings are not valid.');
        await trx
          .updateTable('tenants')
          .set({ settings: toJson(stored), updated_at: now.toISOString() })
          .where('id', '=', tenant.id)
          .execute();
        await appendEvent(
          trx,
          {
            type: 'tenant.settings_changed',
            tenantId: tenant.id,
            payload: {
              tenant_id: tenant.id,
              slug: tenant.slug,
              actor_id: actorId,
              changed: Object.keys(patch),
            },
          },
          now,
        );
        return settings;
      });
      // This process at once; the others within the tenant directory's one-second freshness.
      directory.forget(tenant.slug);
      return maskSettings(settings);
    },
  };
}

export type SettingsService = ReturnType<typeof createSettingsService>;
