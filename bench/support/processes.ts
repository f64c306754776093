// Resident memory of the service's processes, read from /proc (Linux): the primary and its cluster
// workers, each on its own, since a leak in one worker hides in a sum.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessRss {
  pid: number;
  role: 'primary' | 'worker';
  rssMb: number;
}

function parentOf(pid: string): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself hold spaces: state, ppid.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return Math.round((kb / 1024) * 10) / 10;
  } catch {
    return 0;
  }
}

/** The process and its direct children (node:cluster forks workers from the primary). */
export function processRss(primary: number): ProcessRss[] {
  const workers = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && parentOf(name) === primary)
    .map(Number)
    .sort((a, b) => a - b);
  return [
    { pid: primary, role: 'primary' as const, rssMb: rssMb(primary) },
    ...workers.map((pid) => ({ pid, role: 'worker' as const, rssMb: rssMb(pid) })),
  ];
}

const totalRss = (processes: readonly ProcessRss[]) =>
  Math.round(processes.reduce((sum, p) => sum + p.rssMb, 0));

/** Samples `read` every `everyMs` until stopped; keeps the peak of each process and of the sum. */
export function rssSampler(read: () => ProcessRss[], everyMs = 500) {
  const peaks = new Map<number, ProcessRss>();
  let peakTotal = 0;
  const sample = () => {
    const now = read();
    peakTotal = Math.max(peakTotal, totalRss(now));
    for (const p of now) if ((peaks.get(p.pid)?.rssMb ?? -1) < p.rssMb) peaks.set(p.pid, p);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop(): { totalMb: number; processes: ProcessRss[] } {
      clearInterval(timer);
      sample();
      return { totalMb: peakTotal, processes: [...peaks.values()] };
    },
  };
}
