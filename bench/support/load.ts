// A bounded load run with autocannon, reduced to the figures the reports print.
import autocannon from 'autocannon';
import { BROWSER_USER_AGENT } from '../../test/support/browser.ts';

export interface LoadResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  non2xx: number;
}

export interface LoadOptions {
  name: string;
  url: string;
  connections?: number;
  seconds?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  /** Called for every request: returns its body and/or headers. */
  next?: () => { body?: string; headers?: Record<string, string> };
  /** Sees each response body (for example to collect rotated refresh tokens). */
  onBody?: (status: number, body: string) => void;
}

export function load(o: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: o.url,
        connections: o.connections ?? 50,
        duration: o.seconds ?? 10,
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
        if (error) return reject(error);
        resolve({
          name: o.name,
          rps: Math.round(r.requests.average),
          p50: r.latency.p50,
          p99: r.latency.p99,
          max: r.latency.max,
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
        });
      },
    );
  });
}

export function table(rows: LoadResult[]): string {
  const head =
    '| scenario | req/s | p50 ms | p99 ms | max ms | errors | non-2xx |\n|---|---|---|---|---|---|---|';
  return [
    head,
    ...rows.map(
      (r) => `| ${r.name} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.max} | ${r.errors} | ${r.non2xx} |`,
    ),
  ].join('\n');
}
