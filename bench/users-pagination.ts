// User list pagination over HTTP: the first page (limit 50) and a deep page, in both sort orders,
// read by the tenant's administrator. The deep page starts halfway down the list; keyset pagination
// should make it cost what the first page does. Run: npm run bench:pagination  (BENCH_USERS sets the
// tenant's size; `npm run bench -- --scale users` reruns it on a million users)
import { encodeCursor } from '../src/http/index.ts';
import { type BenchContext, standalone, tenantLoad, withOwner } from './support/fixture.ts';
import type { LoadResult } from './support/load.ts';
import { type Section, section } from './support/report.ts';

const PAGE = 50;

/** The cursor a client would hold after reading `rows` users in this order. */
async function cursorAt(ctx: BenchContext, sort: 'created_at' | 'email', rows: number): Promise<string> {
  const column = sort === 'email' ? 'email_normalized' : 'created_at';
  const row = await withOwner(
    ctx.server,
    async (owner) =>
      (
        await owner.query<{ k: string | Date; id: string }>(
          `SELECT ${column} AS k, id::text AS id FROM users WHERE tenant_id = $1 AND deleted_at IS NULL
         ORDER BY ${column}, id OFFSET $2 LIMIT 1`,
          [ctx.tenant.id, rows - 1],
        )
      ).rows[0],
  );
  if (!row) throw new Error(`the tenant has fewer than ${rows} users`);
  const key = row.k instanceof Date ? row.k.toISOString() : row.k;
  return encodeCursor([key, row.id]);
}

async function page(ctx: BenchContext, sort: 'created_at' | 'email', deep: boolean): Promise<LoadResult> {
  const token = (await ctx.tenant.admin.accessTokens(1))[0];
  const skipped = Math.floor(ctx.tenant.users / 2);
  const cursor = deep ? `&cursor=${await cursorAt(ctx, sort, skipped)}` : '';
  const name = `users by ${sort}, ${deep ? 'deep page (halfway down)' : 'first page'}`;
  return tenantLoad(ctx, name, `/v1/users?limit=${PAGE}&sort=${sort}${cursor}`, {
    headers: { authorization: `Bearer ${token}` },
  });
}

export async function usersBench(ctx: BenchContext): Promise<Section> {
  const out = section(
    'users',
    `User list (${ctx.tenant.users.toLocaleString('en')} users, ${PAGE} per page)`,
  );
  for (const sort of ['created_at', 'email'] as const) {
    out.scenarios.push(await page(ctx, sort, false), await page(ctx, sort, true));
  }
  return out;
}

export const usersScale = async (ctx: BenchContext): Promise<LoadResult[]> => [
  await page(ctx, 'created_at', false),
  await page(ctx, 'created_at', true),
];

if (import.meta.main) await standalone(usersBench);
