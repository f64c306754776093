// Mixed load, as a running service sees it: sign-ins, GET /me and authorization checks at once.
// Shared by the resource figures (memory under load) and the soak run.
import { argonConnections, type BenchContext, tenantLoad } from './fixture.ts';
import type { LoadResult } from './load.ts';

export async function mixedLoad(ctx: BenchContext, seconds: number, label = 'mixed'): Promise<LoadResult[]> {
  const { tenant, settings } = ctx;
  // Tokens live ten minutes: callers keep each run shorter and mint new ones per run.
  const tokens = await tenant.sessions.accessTokens(200);
  const admin = (await tenant.admin.accessTokens(1))[0];
  const share = Math.max(1, Math.round(settings.connections / 2));
  let n = 0;
  let m = 0;
  let q = 0;
  return Promise.all([
    tenantLoad(ctx, `${label}: login`, '/v1/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      seconds,
      connections: Math.max(1, Math.round(argonConnections(settings) / 4)),
      next: () => ({
        body: JSON.stringify({ email: tenant.email(1 + (n++ % tenant.users)), password: tenant.password }),
      }),
    }),
    tenantLoad(ctx, `${label}: GET /me`, '/v1/me', {
      seconds,
      connections: share,
      next: () => ({ headers: { authorization: `Bearer ${tokens[m++ % tokens.length]}` } }),
    }),
    tenantLoad(ctx, `${label}: authz/check`, '/v1/authz/check', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      seconds,
      connections: share,
      next: () => {
        const i = q++;
        const subject = tenant.subjects[i % tenant.subjects.length];
        return {
          body: JSON.stringify({
            subject,
            action: i % 2 ? 'user:read' : 'group:read',
            resource: `user/${subject}`,
          }),
        };
      },
    }),
  ]);
}
