// A bounded load run with autocannon, reduced to the figures the reports print.
import autocannon from 'autocannon';
import { BROWSER_USER_AGENT } from '../../test/support/browser.ts';
import { type ProcessRss, rssSampler } from './processes.ts';

export interface LoadResult {
  name: string;
  /** Responses received, and the seconds the run took. */
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  /** Connection errors, timeouts and non-2xx answers other than 429. */
  errors: number;
  /** 429 answers: a limit doing its job, not counted as errors. */
  limited: number;
  /** Peak resident memory of the server's processes during the run, when it was sampled. */
  rssMb: number | null;
}

export interface LoadOptions {
  name: string;
  url: string;
  connections: number;
  seconds: number;
  /** Also stop after this many requests (for scenarios that spend a finite pool of inputs). */
  amount?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Called for every request: returns its body and/or headers. */
  next?: () => { body?: string; headers?: Record<string, string> };
  /** Sees each response body (for example to collect rotated refresh tokens). */
  onBody?: (status: number, body: string) => void;
  /** The server's processes, sampled for their peak memory during the run. */
  rss?: () => ProcessRss[];
}

export function load(o: LoadOptions): Promise<LoadResult> {
  const sampler = o.rss ? rssSampler(o.rss) : undefined;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    // autocannon ignores `duration` when given `amount`: the timer below bounds such runs instead.
    let deadline: NodeJS.Timeout | undefined;
    const instance = autocannon(
      {
        url: o.url,
        connections: o.connections,
        ...(o.amount !== undefined ? { amount: o.amount } : { duration: o.seconds }),
        method: o.method ?? 'GET',
        // Sign-in routes refuse automation user agents; the load stands for browsers.
        headers: { 'user-agent': BROWSER_USER_AGENT, ...o.headers },
        requests: [
          {
            setupRequest: (req: autocannon.Request) => {
              const extra = o.next?.() ?? {};
              return {
                ...req,
                ...(extra.body !== undefined ? { body: extra.body } : {}),
                headers: { ...req.headers, ...extra.headers },
              };
            },
            ...(o.onBody ? { onResponse: (status: number, body: string) => o.onBody?.(status, body) } : {}),
          },
        ],
      },
      (error: Error | null, r: autocannon.Result) => {
        clearTimeout(deadline);
        const rss = sampler?.stop();
        if (error) return reject(error);
        const limited = r.statusCodeStats?.['429']?.count ?? 0;
        resolve({
          name: o.name,
          requests: r.requests.total,
          seconds: Math.round((performance.now() - started) / 100) / 10,
          // Responses over the run's own length: autocannon's average is over whole seconds, which
          // misreads a run that spends its pool of inputs in under one.
          rps: Math.round(r.requests.total / Math.max(r.duration, 0.01)),
          p50: r.latency.p50,
          p99: r.latency.p99,
          max: r.latency.max,
          // autocannon counts timeouts among its errors.
          errors: r.errors + r.non2xx - limited,
          limited,
          rssMb: rss ? rss.totalMb : null,
        });
      },
    );
    if (o.amount !== undefined) deadline = setTimeout(() => instance.stop(), o.seconds * 1000);
  });
}
