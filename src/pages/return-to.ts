// Where a finished sign-in may send the browser: only to an origin the tenant listed, so the page
// cannot be used as an open redirector (`return_to=https://evil.example`, `//evil`, `javascript:`).

export const ACCOUNT_PAGE = 'account';

/** The absolute URL to go back to, or undefined when `value` is not on a listed origin. */
export function allowedReturnTo(
  value: string | undefined,
  allowedOrigins: readonly string[],
): string | undefined {
  if (!value || value.length > 2048) return undefined;
  let url: URL;
  try {
    // No base URL: relative and scheme-relative values (`/x`, `//evil.com`) do not parse, on purpose.
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return allowedOrigins.includes(url.origin) ? url.href : undefined;
}

/** A page of an unfinished sign-in (a restriction to lift), carrying `return_to` when the end may follow it. */
export function carryReturnTo(page: string, value: string | undefined, allowedOrigins: readonly string[]) {
  const allowed = allowedReturnTo(value, allowedOrigins);
  return allowed ? `${page}?${new URLSearchParams({ return_to: allowed })}` : page;
}
