// `npm run bench`: every benchmark in turn (or those named: `npm run bench -- auth authz`) against
// Gatehouse on PostgreSQL, Redis and RabbitMQ with WORKERS=2, one report at the end:
// bench/results/<date>.json (every figure) and bench/results/<date>.md (the tables).
//
//   npm run bench                        auth authz users events jobs policy resources
//   npm run bench -- soak                mixed load for SOAK_MINUTES (10), memory every 10 s
//   npm run bench -- --scale             also the scale data set (scripts/seed-scale.ts, SCALE_*):
//                                        the tenant-size-sensitive scenarios on both tenants
//
// BENCH_DURATION (seconds per scenario, 10), BENCH_CONNECTIONS (50), BENCH_USERS (10,000 in the
// everyday tenant), BENCH_ROWS (100,000 expired rows for the purges). Figures are printed, never
// asserted: read them against the machine's raw rates printed first (docs/benchmarks.md).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { type ScaleReport, type ScaleSizes, scaleSizes, seedScale } from '../scripts/seed-scale.ts';
import { authBench, authScale } from './auth-http.ts';
import { authzBench, authzScale } from './authz-http.ts';
import { eventsBench } from './events-pipeline.ts';
import { jobsBench } from './jobs-purge.ts';
import { policyBench } from './policy-engine.ts';
import { resourcesBench } from './resources.ts';
import { soakBench } from './soak.ts';
import { type Baseline, baselineLines, measureBaseline } from './support/baseline.ts';
import { type BenchContext, prepareTenant, runSettings, startBenchServer } from './support/fixture.ts';
import type { LoadResult } from './support/load.ts';
import { markdownTable, type Section, section, sectionMarkdown } from './support/report.ts';
import { usersBench, usersScale } from './users-pagination.ts';

const HTTP = { auth: authBench, authz: authzBench, users: usersBench } as const;
const SCALE = { auth: authScale, authz: authzScale, users: usersScale } as const;
const DEFAULT = ['resources', 'auth', 'authz', 'users', 'events', 'jobs', 'policy'] as const;
const KNOWN = [...DEFAULT, 'soak'];

const args = process.argv.slice(2);
const scale = args.includes('--scale') || process.env.BENCH_SCALE === '1';
const named = args.filter((a) => !a.startsWith('--'));
for (const name of named) {
  if (!KNOWN.includes(name)) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${KNOWN.join(', ')}\n`);
    process.exit(2);
  }
}
const selected = new Set<string>(named.length > 0 ? named : DEFAULT);
const settings = runSettings();
const soakMinutes = Number(process.env.SOAK_MINUTES ?? 10);

interface Report {
  started: string;
  finished?: string;
  settings: typeof settings & { scale: ScaleSizes | null; soakMinutes: number | null; benchmarks: string[] };
  machine: Record<string, unknown>;
  baseline?: Baseline;
  sections: Section[];
  scale?: { sizes: ScaleSizes; seeding: ScaleReport['seconds']; everyday: LoadResult[]; big: LoadResult[] };
  failures: { benchmark: string; error: string }[];
}

const report: Report = {
  started: new Date().toISOString(),
  settings: {
    ...settings,
    scale: scale ? scaleSizes() : null,
    soakMinutes: selected.has('soak') ? soakMinutes : null,
    benchmarks: [...selected],
  },
  machine: {
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryMb: Math.round(os.totalmem() / 2 ** 20),
    loadAverageAtStart: os.loadavg(),
  },
  sections: [],
  failures: [],
};

const print = (text: string) => process.stdout.write(`${text}\n`);

/** Runs one benchmark; a failure is reported and the others still run. */
async function attempt(name: string, run: () => Promise<Section | undefined>): Promise<void> {
  try {
    const result = await run();
    if (result) {
      report.sections.push(result);
      print(sectionMarkdown(result));
    }
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    report.failures.push({ benchmark: name, error: message });
    process.stderr.write(`${name} failed: ${message}\n`);
  }
}

/** The scale scenarios on the everyday tenant and on the big one, side by side. */
function scaleSection(data: NonNullable<Report['scale']>, everydayUsers: number, readyMs: number): Section {
  const out = section('scale', 'Scale: the everyday tenant beside the big one');
  const s = data.sizes;
  const figures = (r: LoadResult | undefined) => [
    r?.rps ?? '–',
    r?.p50 ?? '–',
    r?.p99 ?? '–',
    r?.errors ?? '–',
  ];
  out.tables.push({
    title: `${everydayUsers.toLocaleString('en')} users vs ${s.users.toLocaleString('en')} users, ${s.groups.toLocaleString('en')} groups, ${s.policies.toLocaleString('en')} policies (among ${s.tenants.toLocaleString('en')} other tenants)`,
    head: [
      'scenario',
      'req/s',
      'req/s big',
      'p50 ms',
      'p50 big',
      'p99 ms',
      'p99 big',
      'errors',
      'errors big',
    ],
    rows: data.everyday.map((r, i) => {
      const [rps, p50, p99, errors] = figures(r);
      const [bRps, bP50, bP99, bErrors] = figures(data.big[i]);
      return [r.name, rps, bRps, p50, bP50, p99, bP99, errors, bErrors] as (string | number)[];
    }),
  });
  const t = data.seeding;
  out.notes.push(
    `seeding: ${t.tenants.toFixed(1)} s for the tenants, ${t.bigTenant.toFixed(1)} s for the big one, ANALYZE ${t.analyze.toFixed(1)} s (${t.total.toFixed(1)} s in all)`,
    `time to ready on the seeded database: ${readyMs.toLocaleString('en')} ms`,
  );
  return out;
}

async function httpBenchmarks(baseline: Baseline | undefined): Promise<void> {
  const wanted = (Object.keys(HTTP) as (keyof typeof HTTP)[]).filter((n) => selected.has(n));
  if (wanted.length === 0 && !scale && !selected.has('soak')) return;
  let seeded: ScaleReport | undefined;
  const sizes = scaleSizes();
  const { server, bench } = await startBenchServer(settings, async (owner: pg.ClientBase, hash: string) => {
    if (scale) seeded = await seedScale(owner, sizes, hash);
  });
  try {
    const everyday = await prepareTenant(server, bench, settings);
    const ctx: BenchContext = { server, tenant: everyday, settings, ...(baseline ? { baseline } : {}) };
    for (const name of wanted) await attempt(name, () => HTTP[name](ctx));
    if (scale && seeded) {
      const big = await prepareTenant(server, seeded.tenant, settings);
      const bigCtx: BenchContext = { ...ctx, tenant: big };
      const scaled = wanted.filter((n) => n in SCALE);
      const data = { sizes, seeding: seeded.seconds, everyday: [] as LoadResult[], big: [] as LoadResult[] };
      await attempt('scale', async () => {
        for (const name of scaled.length > 0 ? scaled : (Object.keys(SCALE) as (keyof typeof SCALE)[])) {
          data.everyday.push(...(await SCALE[name](ctx)));
          data.big.push(...(await SCALE[name](bigCtx)));
        }
        report.scale = data;
        return scaleSection(data, bench.users, server.readyMs);
      });
    }
    if (selected.has('soak')) await attempt('soak', () => soakBench(ctx, soakMinutes));
  } finally {
    await server.stop();
  }
}

function writeReport(): void {
  report.finished = new Date().toISOString();
  report.machine.loadAverageAtEnd = os.loadavg();
  const dir = join(import.meta.dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = report.started.slice(0, 19).replace(/:/g, '-');
  const m = report.machine;
  const lines = [
    `# Gatehouse benchmarks, ${report.started}`,
    '',
    `node ${m.node}, ${m.cpus} × ${m.cpuModel}, ${m.memoryMb} MB; load average ${(m.loadAverageAtStart as number[]).map((l) => l.toFixed(2)).join(' ')} at the start, ${(m.loadAverageAtEnd as number[]).map((l) => l.toFixed(2)).join(' ')} at the end`,
    `${settings.seconds} s per scenario, ${settings.connections} connections; server: PostgreSQL, Redis, RabbitMQ, WORKERS=2, service defaults otherwise (rate limits off: the load comes from one address)`,
    ...(report.baseline ? ['', ...baselineLines(report.baseline)] : []),
    '',
    ...report.sections.map(sectionMarkdown),
    ...(report.failures.length > 0
      ? [
          '## Failed',
          '',
          markdownTable(
            ['benchmark', 'error'],
            report.failures.map((f) => [f.benchmark, f.error.split('\n')[0] ?? '']),
          ),
        ]
      : []),
  ];
  writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, `${stamp}.md`), `${lines.join('\n')}\n`);
  print(`report: bench/results/${stamp}.md and .json`);
}

try {
  // The raw rates first, while nothing else of this run competes for the cores.
  report.baseline = await measureBaseline();
  print(baselineLines(report.baseline).join('\n'));
  print('');
  if (selected.has('resources')) await attempt('resources', () => resourcesBench(settings));
  await attempt('server', async () => {
    await httpBenchmarks(report.baseline);
    return undefined;
  });
  if (selected.has('events'))
    await attempt('events', () =>
      eventsBench({
        variant: 'postgres',
        rabbitmq: true,
        // The workload the events issue names: 100,000 events, offered as fast as they commit.
        events: Number(process.env.BENCH_EVENTS ?? 100_000),
        seconds: settings.seconds,
        rate: 0,
      }),
    );
  if (selected.has('jobs'))
    await attempt('jobs', () =>
      jobsBench({
        variant: 'postgres',
        rows: Number(process.env.BENCH_ROWS ?? 100_000),
        seconds: settings.seconds,
        concurrency: 4,
      }),
    );
  if (selected.has('policy')) await attempt('policy', async () => policyBench().section);
} finally {
  writeReport();
}
process.exitCode = report.failures.length > 0 ? 1 : 0;
