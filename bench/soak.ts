// Soak: SOAK_MINUTES (default 10) of mixed load (sign-ins, GET /me, authorization checks) against
// the PostgreSQL setup, resident memory of every process sampled each 10 s, and the growth from the
// end of the first minute (start-up and JIT warm-up done) to the end. Bounded: rounds of at most five
// minutes, each with freshly minted tokens (they live ten). Run: npm run bench -- soak
import type { BenchContext } from './support/fixture.ts';
import { mixedLoad } from './support/mixed-load.ts';
import type { ProcessRss } from './support/processes.ts';
import { type Section, section } from './support/report.ts';

const SAMPLE_MS = 10_000;
const ROUND_SECONDS = 300;

interface RssSample {
  second: number;
  processes: ProcessRss[];
}

export async function soakBench(ctx: BenchContext, minutes: number): Promise<Section> {
  const out = section('soak', `Soak: ${minutes} min of mixed load, RSS every ${SAMPLE_MS / 1000} s`);
  const started = performance.now();
  const samples: RssSample[] = [];
  const sample = () =>
    samples.push({
      second: Math.round((performance.now() - started) / 1000),
      processes: ctx.server.processes(),
    });
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    for (let done = 0; done < minutes * 60; ) {
      const seconds = Math.min(ROUND_SECONDS, minutes * 60 - done);
      out.scenarios.push(...(await mixedLoad(ctx, seconds, `${done / 60}–${(done + seconds) / 60} min`)));
      done += seconds;
    }
  } finally {
    clearInterval(timer);
  }
  sample();

  const from = samples.find((s) => s.second >= 60) ?? samples[0];
  const to = samples.at(-1);
  const rows: (string | number)[][] = [];
  for (const p of to?.processes ?? []) {
    const before = from?.processes.find((q) => q.pid === p.pid);
    const growth = before ? Math.round((p.rssMb - before.rssMb) * 10) / 10 : '–';
    const hours = ((to?.second ?? 0) - (from?.second ?? 0)) / 3600;
    rows.push([
      `${p.role} ${p.pid}`,
      before?.rssMb ?? '–',
      p.rssMb,
      growth,
      typeof growth === 'number' && hours > 0 ? Math.round(growth / hours) : '–',
    ]);
  }
  out.tables.push(
    {
      title: `growth from ${from?.second ?? 0} s to ${to?.second ?? 0} s`,
      head: ['process', 'RSS at start MB', 'RSS at end MB', 'growth MB', 'MB per hour'],
      rows,
    },
    {
      title: 'samples (each minute; every sample is in the JSON report)',
      head: ['second', 'total MB', ...(samples[0]?.processes.map((p) => `${p.role} ${p.pid}`) ?? [])],
      rows: samples
        .filter((s, i) => i === 0 || i === samples.length - 1 || s.second % 60 < SAMPLE_MS / 1000)
        .map((s) => [
          s.second,
          Math.round(s.processes.reduce((sum, p) => sum + p.rssMb, 0)),
          ...s.processes.map((p) => p.rssMb),
        ]),
    },
  );
  out.notes.push('a worker replaced during the run (a crash) shows as a new pid with no start figure');
  out.data.samples = samples;
  return out;
}
