import { BROWSER_USER_AGENT } from './browser.ts';

export interface JsonAnswer<T = Record<string, unknown>> {
  status: number;
  /** The parsed JSON body; undefined when the answer has none (204). */
  body: T;
}

/**
 * One API call as a program (a script, a browser's fetch) makes it against a running server: JSON in
 * and out, a bearer token when given, and a browser's user agent (sign-in routes refuse automation).
 */
export async function requestJson<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  init: { token?: string | undefined; body?: unknown } = {},
): Promise<JsonAnswer<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      'user-agent': BROWSER_USER_AGENT,
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
