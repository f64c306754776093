import type { Dialect, Migration } from './types.ts';

/**
 * A refresh token's rotation as one call (PostgreSQL): one round trip that runs as its own
 * transaction, its statements planned once per connection. It scopes itself to the tenant for the
 * row-level security policies (as `withTenant` does), spends the presented token if unspent and, when
 * the session and user still allow it, moves the session's idle deadline and stores the next token.
 * It returns the spent token with its session and user as they were, or no row when the token is
 * unknown or already spent. SQLite takes the same steps in the repository.
 */
export const refreshRotation: Migration = {
  version: 10,
  name: 'refresh-rotation',
  up(dialect: Dialect): string[] {
    if (dialect === 'sqlite') return [];
    return [
      `CREATE FUNCTION rotate_refresh_token(
         p_tenant uuid, p_hash text, p_next text, p_now timestamptz, p_idle_until timestamptz)
       RETURNS TABLE (user_status text, user_deleted_at timestamptz, token_hash text, used_at timestamptz,
         session_id uuid, user_id uuid, amr jsonb, restriction text, revoked_at timestamptz,
         idle_expires_at timestamptz, expires_at timestamptz)
       LANGUAGE plpgsql
       -- Every statement below reaches its rows by primary key, so one plan serves all values:
       -- planning each call would cost more than the rest of the rotation.
       SET plan_cache_mode = force_generic_plan
       AS $$
       DECLARE
         v_session uuid;
       BEGIN
         PERFORM set_config('app.tenant_id', p_tenant::text, true);
         UPDATE refresh_tokens r SET used_at = p_now
           WHERE r.tenant_id = p_tenant AND r.token_hash = p_hash AND r.used_at IS NULL
           RETURNING r.session_id INTO v_session;
         IF v_session IS NULL THEN
           RETURN;
         END IF;
         RETURN QUERY
           SELECT u.status, u.deleted_at, p_hash, p_now, s.id, s.user_id, s.amr, s.restriction,
             s.revoked_at, s.idle_expires_at, s.expires_at
           FROM sessions s JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
           WHERE s.tenant_id = p_tenant AND s.id = v_session;
         UPDATE sessions s SET last_used_at = p_now, idle_expires_at = LEAST(p_idle_until, s.expires_at)
           FROM users u
           WHERE s.tenant_id = p_tenant AND s.id = v_session
             AND s.revoked_at IS NULL AND s.expires_at > p_now AND s.idle_expires_at > p_now
             AND u.tenant_id = s.tenant_id AND u.id = s.user_id
             AND u.status = 'active' AND u.deleted_at IS NULL;
         IF FOUND THEN
           INSERT INTO refresh_tokens (tenant_id, token_hash, session_id, created_at, used_at)
             VALUES (p_tenant, p_next, v_session, p_now, NULL);
         END IF;
       END
       $$`,
    ];
  },
};
