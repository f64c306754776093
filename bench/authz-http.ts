// Authorization over HTTP: POST /t/{tenant}/v1/authz/check, single and in batches of 100, against
// Gatehouse on PostgreSQL with WORKERS=2. Subjects are seeded users picked at random: roles held
// directly and through groups, policies (guardrails with conditions) attached to their groups.
// Run: npm run bench:authz  (knobs in docs/benchmarks.md)
import { type BenchContext, standalone, tenantLoad } from './support/fixture.ts';
import type { LoadResult } from './support/load.ts';
import { type Section, section } from './support/report.ts';

const json = { 'content-type': 'application/json' };
const PERMISSIONS = ['user:read', 'user:list', 'group:read', 'group:delete', 'policy:read', 'role:read'];
const BATCH = 100;

/** Questions about the tenant's subjects in turn, from an office address or from outside. */
function questions(ctx: BenchContext) {
  const subjects = ctx.tenant.subjects;
  let n = 0;
  return () => {
    const i = n++;
    return {
      subject: subjects[i % subjects.length],
      action: PERMISSIONS[i % PERMISSIONS.length],
      resource: `user/${subjects[(i * 7) % subjects.length]}`,
      context: { request: { ip: i % 2 ? '10.1.2.3' : '192.0.2.7' } },
    };
  };
}

/**
 * Each subject's roles, groups and policies are loaded and compiled once per process, then kept fresh
 * by events: batches over every subject, a few times over so that both workers see each, fill them
 * first, so the runs measure the steady state the design promises rather than a cold start.
 */
async function warmUp(ctx: BenchContext, token: string): Promise<void> {
  const { subjects, slug } = ctx.tenant;
  const batches: string[][] = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < subjects.length; i += BATCH) batches.push(subjects.slice(i, i + BATCH));
  }
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) {
        const checks = batch.map((subject) => ({
          subject,
          action: 'user:read',
          resource: `user/${subject}`,
        }));
        const res = await ctx.server.call('POST', `/t/${slug}/v1/authz/check/batch`, { checks }, token);
        if (res.status !== 200) throw new Error(`warm-up: ${res.status} ${JSON.stringify(res.body)}`);
      }
    }),
  );
}

async function check(ctx: BenchContext): Promise<LoadResult> {
  const token = (await ctx.tenant.admin.accessTokens(1))[0] as string;
  await warmUp(ctx, token);
  const question = questions(ctx);
  return tenantLoad(ctx, 'authz/check', '/v1/authz/check', {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${token}` },
    next: () => ({ body: JSON.stringify(question()) }),
  });
}

export async function authzBench(ctx: BenchContext): Promise<Section> {
  const out = section('authz', 'Authorization');
  out.scenarios.push(await check(ctx));
  const token = (await ctx.tenant.admin.accessTokens(1))[0];
  const question = questions(ctx);
  const batch = await tenantLoad(ctx, `authz/check/batch (${BATCH} checks)`, '/v1/authz/check/batch', {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${token}` },
    connections: Math.max(1, Math.round(ctx.settings.connections / 2)),
    next: () => ({ body: JSON.stringify({ checks: Array.from({ length: BATCH }, question) }) }),
  });
  out.scenarios.push(batch);
  out.notes.push(
    `${ctx.tenant.subjects.length.toLocaleString('en')} subjects, warmed by four batch passes over each before the runs; batch: ${(batch.rps * BATCH).toLocaleString('en')} decisions/s over HTTP`,
  );
  return out;
}

export const authzScale = async (ctx: BenchContext): Promise<LoadResult[]> => [await check(ctx)];

if (import.meta.main) await standalone(authzBench);
