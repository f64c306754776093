import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { cacheRepeatedStatements } from '../../src/db/prepared-statements.ts';
import { type ScratchDatabase, scratchDatabase, VARIANTS } from '../support/databases.ts';

// The statement cache works on the driver's connections: one connection here, held throughout, so
// that what it prepared can be read back from the same PostgreSQL session.
describe('statements prepared on repeated use (postgres)', {
  skip: VARIANTS.includes('postgres') ? false : 'PostgreSQL not in DB_VARIANTS',
}, () => {
  let scratch: ScratchDatabase;
  let pool: pg.Pool;
  let client: pg.PoolClient;
  const prepared = async () =>
    (
      await client.query<{ statement: string }>(
        'SELECT statement FROM pg_prepared_statements ORDER BY statement',
      )
    ).rows.map((r) => r.statement);

  before(async () => {
    scratch = await scratchDatabase('postgres');
    pool = new pg.Pool({ connectionString: scratch.env.DATABASE_MIGRATION_URL, max: 1 });
    cacheRepeatedStatements(pool, { threshold: 3, perConnection: 2 });
    client = await pool.connect();
  });
  after(async () => {
    client.release();
    await pool.end();
    await scratch.drop();
  });

  test('a statement is prepared on its third use and answers the same before and after', async () => {
    for (let i = 1; i <= 2; i++) {
      assert.equal((await client.query('SELECT $1::int + 1 AS v', [i])).rows[0].v, i + 1);
      assert.deepEqual(await prepared(), []);
    }
    for (let i = 3; i <= 5; i++)
      assert.equal((await client.query('SELECT $1::int + 1 AS v', [i])).rows[0].v, i + 1);
    assert.deepEqual(await prepared(), ['SELECT $1::int + 1 AS v']);
  });

  test('statements without parameters stay on the simple protocol', async () => {
    for (let i = 0; i < 5; i++) await client.query('SELECT 42 AS v');
    assert.ok(!(await prepared()).includes('SELECT 42 AS v'));
  });

  test('a prepared statement that fails leaves the connection usable', async () => {
    for (let i = 0; i < 3; i++)
      assert.equal((await client.query('SELECT 10 / $1::int AS v', [5])).rows[0].v, 2);
    assert.ok((await prepared()).includes('SELECT 10 / $1::int AS v'));
    await assert.rejects(client.query('SELECT 10 / $1::int AS v', [0]), /division by zero/);
    assert.equal((await client.query('SELECT $1::int + 1 AS v', [1])).rows[0].v, 2);
  });

  test('a connection keeps at most its share of statements; the rest still run', async () => {
    for (let i = 0; i < 3; i++) {
      assert.equal((await client.query('SELECT $1::text AS v', ['a'])).rows[0].v, 'a');
      assert.equal((await client.query('SELECT $1::text || $2::text AS v', ['a', 'b'])).rows[0].v, 'ab');
    }
    assert.deepEqual(await prepared(), ['SELECT $1::int + 1 AS v', 'SELECT 10 / $1::int AS v']);
  });

  test('plans follow each execution’s values', async () => {
    assert.equal((await client.query('SHOW plan_cache_mode')).rows[0].plan_cache_mode, 'force_custom_plan');
  });
});
