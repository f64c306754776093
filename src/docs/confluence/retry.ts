// When to try a Confluence request again, and how long to wait first. Atlassian Cloud rate-limits with
// 429 and a Retry-After header; proxies in front of Data Center answer 502/503/504 while it restarts.

export type RetryPolicy = {
  // Total tries, the first one included.
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  sleep: (ms: number) => Promise<void>;
};

export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;

// Retry-After is either delta-seconds or an HTTP date; the server's wish wins over our backoff, but
// it is capped so a misconfigured header cannot hang a CI job.
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function retryDelayMs(
  attempt: number,
  retryAfter: string | null,
  policy: RetryPolicy,
  now = Date.now(),
) {
  const requested = retryAfterMs(retryAfter, now);
  const backoff = policy.baseDelayMs * 2 ** attempt;
  return Math.min(requested ?? backoff, policy.maxDelayMs);
}
