import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { systemClock } from '../../../src/clock.ts';
import {
  createKeyEncryption,
  createSigningKeyStore,
  loadKeyEncryptionKey,
} from '../../../src/tokens/index.ts';
import type { TestApp } from '../../support/test-app.ts';

// Helpers shared by the attack suites. Every attack is a real HTTP exchange through `app.inject`.

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One JSON request, optionally with a bearer token and extra headers. */
export function call(
  t: TestApp,
  method: Method,
  url: string,
  options: {
    token?: string;
    payload?: unknown;
    headers?: Record<string, string>;
    remoteAddress?: string;
  } = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method,
    url,
    headers: { ...(options.token ? bearer(options.token) : {}), ...options.headers },
    ...(options.payload !== undefined ? { payload: options.payload as object } : {}),
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });
}

/** Changes tenant settings through the API (JSON merge patch) as the tenant administrator or an operator. */
export async function patchSettings(t: TestApp, slug: string, token: string, patch: object): Promise<void> {
  const res = await call(t, 'PATCH', `/t/${slug}/v1/settings`, { token, payload: patch });
  assert.equal(res.statusCode, 200, res.body);
}

/**
 * The tenant's active signing key, read the way the service reads it (decrypted with the
 * key-encryption key). Used only for positive controls: a token the test signs with it must be
 * accepted, so that each forgery differing from it in one respect shows what is refused.
 */
export async function tenantSigningKey(t: TestApp, tenantId: string) {
  const store = createSigningKeyStore({
    database: t.database,
    encryption: createKeyEncryption(loadKeyEncryptionKey(t.config.KEY_ENCRYPTION_SECRET, t.config.DATA_DIR)),
    clock: systemClock,
    publishLeadSeconds: t.config.SIGNING_KEY_PUBLISH_LEAD_SECONDS,
  });
  return store.signingKey(tenantId, { signing_algorithm: 'EdDSA', signing_key_rotation_days: 90 });
}

const TENANT_TABLES = [
  'users',
  'groups',
  'group_members',
  'roles',
  'user_roles',
  'group_roles',
  'policies',
  'policy_versions',
  'policy_attachments',
  'clients',
  'webhooks',
  'sessions',
  'refresh_tokens',
  'user_tokens',
  'mfa_credentials',
  'signing_keys',
] as const;

/**
 * Every row of a tenant's own tables, as sorted JSON lines per table: equal before and after a
 * request means the request changed nothing of that tenant (inserts, updates and deletes alike).
 */
export async function tenantState(t: TestApp, tenantId: string): Promise<Record<string, string[]>> {
  const state: Record<string, string[]> = {};
  await t.database.withTenant(tenantId, async (trx) => {
    for (const table of TENANT_TABLES) {
      const rows = await trx
        .selectFrom(table as 'users')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .execute();
      state[table] = rows.map((r) => JSON.stringify(r)).sort();
    }
  });
  return state;
}

/** Settings that keep the captcha gate and the lockout out of the way of suites that fail on purpose. */
export const QUIET_GUARDS = {
  captcha: { account_threshold: 1000, ip_threshold: 100_000 },
  lockout: { threshold: 1000 },
};

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
