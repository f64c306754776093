// Resource figures: time to ready (spawn until /readyz answers 200) on a fresh database and on a
// restart, resident memory of each process when idle and at its peak under mixed load, on the
// embedded SQLite default (`npm start` with no settings: one process) and on PostgreSQL as the other
// benchmarks run it (WORKERS=2, Redis, RabbitMQ, SMTP). The load signs in as the platform operator, so
// both databases hold the same data. Run as part of `npm run bench` (`npm run bench -- resources`).
import { type BenchContext, type RunSettings, signIn, type TenantUnderTest } from './support/fixture.ts';
import { mixedLoad } from './support/mixed-load.ts';
import { rssSampler } from './support/processes.ts';
import { type Section, section, type Table } from './support/report.ts';
import { type BenchServer, OPERATOR, type ServerOptions, startServer } from './support/server.ts';

const SETUPS: { label: string; options: ServerOptions }[] = [
  { label: 'SQLite (defaults)', options: { variant: 'sqlite' } },
  { label: 'PostgreSQL, WORKERS=2, Redis, RabbitMQ', options: { variant: 'postgres', workers: 2 } },
];

/** The platform tenant with its operator as the only user, subject and administrator. */
async function operatorTenant(server: BenchServer): Promise<TenantUnderTest> {
  const sessions = await signIn(server, 'platform', [OPERATOR.email], OPERATOR.password);
  const token = (await sessions.accessTokens(1))[0];
  const me = await server.call<{ id: string }>('GET', '/t/platform/v1/me', undefined, token);
  return {
    id: '',
    slug: 'platform',
    adminEmail: OPERATOR.email,
    users: 1,
    password: OPERATOR.password,
    sessions,
    admin: sessions,
    subjects: [me.body.id],
    email: () => OPERATOR.email,
  };
}

/** Waits until the primary has its workers and start-up work has settled, then reads memory. */
async function idle(server: BenchServer, workers: number) {
  for (let i = 0; i < 100 && server.processes().length < workers + (workers > 1 ? 1 : 0); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 2000));
  return server.processes();
}

export async function resourcesBench(settings: RunSettings): Promise<Section> {
  const out = section('resources', 'Resources: start-up and memory');
  const ready: Table = {
    title: 'time to ready (spawn → /readyz 200)',
    head: ['database', 'first start ms (migrate, bootstrap)', 'restart ms'],
    rows: [],
  };
  const memory: Table = {
    title: `resident memory per process (idle after a restart; peak under ${settings.seconds} s of mixed load)`,
    head: ['database', 'process', 'idle MB', 'under load MB'],
    rows: [],
  };
  for (const setup of SETUPS) {
    const server = await startServer(setup.options);
    try {
      const first = server.readyMs;
      const restart = await server.restart();
      ready.rows.push([setup.label, first, restart]);
      const quiet = await idle(server, setup.options.workers ?? 1);
      const tenant = await operatorTenant(server);
      const ctx: BenchContext = { server, tenant, settings };
      const sampler = rssSampler(server.processes);
      const results = await mixedLoad(ctx, settings.seconds, `${setup.label}, mixed`);
      const peak = sampler.stop();
      out.scenarios.push(...results);
      for (const p of quiet) {
        const loaded = peak.processes.find((q) => q.pid === p.pid);
        memory.rows.push([setup.label, `${p.role} ${p.pid}`, p.rssMb, loaded?.rssMb ?? '–']);
      }
      const total = quiet.reduce((sum, p) => sum + p.rssMb, 0);
      memory.rows.push([setup.label, 'all', Math.round(total), peak.totalMb]);
    } finally {
      await server.stop();
    }
  }
  out.tables.push(ready, memory);
  out.notes.push(
    'mixed load: the platform operator signing in, reading GET /me and checking authorization at once',
  );
  return out;
}
