import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { Secret } from 'otpauth';
import { timeStep, totpCode } from '../../src/mfa/totp.ts';
import type { TestApp } from '../support/test-app.ts';

// What the HTTP tests of the pages share: a browser's cookie jar over `app.inject`, and readers for
// the parts of a page the tests look at.

export const PUBLIC_URL = 'http://gatehouse.test';

export type PageBrowser = ReturnType<typeof browser>;

/** A browser's cookie jar, enough for one origin; its POSTs are same-origin form posts. */
export function browser(t: TestApp) {
  const jar = new Map<string, string>();
  const remember = (res: LightMyRequestResponse) => {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const gone = c.value === '' || c.maxAge === 0 || (c.expires && c.expires.getTime() < Date.now());
      if (gone) jar.delete(c.name);
      else jar.set(c.name, c.value);
    }
    return res;
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  return {
    jar,
    get: async (url: string, headers: Record<string, string> = {}) =>
      remember(await t.app.inject({ method: 'GET', url, headers: { cookie: cookie(), ...headers } })),
    post: async (url: string, form: Record<string, string>, headers: Record<string, string> = {}) =>
      remember(
        await t.app.inject({
          method: 'POST',
          url,
          payload: new URLSearchParams(form).toString(),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: PUBLIC_URL,
            'sec-fetch-site': 'same-origin',
            cookie: cookie(),
            ...headers,
          },
        }),
      ),
    /** Opens `url` and posts its form back with `form` and the page's own CSRF token. */
    async submit(url: string, form: Record<string, string>, action = url) {
      return this.post(action, { _csrf: csrfOf(await this.get(url)), ...form });
    },
  };
}

export const csrfOf = (res: LightMyRequestResponse) => {
  const found = /name="_csrf" value="([^"]+)"/.exec(res.body);
  assert.ok(found, `no CSRF field in ${res.body}`);
  return found[1]!;
};

export const errorOf = (res: LightMyRequestResponse) =>
  /<p class="error" role="alert">([^<]*)<\/p>/.exec(res.body)?.[1];

export const noticeOf = (res: LightMyRequestResponse) =>
  /<p class="notice" role="status">([^<]*)<\/p>/.exec(res.body)?.[1];

/** The error tied to one field, after checking the tie (aria-describedby, aria-invalid). */
export function fieldErrorOf(res: LightMyRequestResponse, name: string): string | undefined {
  const found = new RegExp(`<p class="field-error" id="${name}-error">([^<]*)</p>`).exec(res.body)?.[1];
  if (found !== undefined) {
    const field = new RegExp(`<input name="${name}"[^>]*>`).exec(res.body)?.[0] ?? '';
    assert.match(field, new RegExp(`aria-describedby="[^"]*${name}-error`), field);
    assert.match(field, /aria-invalid="true"/);
  }
  return found;
}

export function assertPage(res: LightMyRequestResponse, status: number) {
  assert.equal(res.statusCode, status, res.body);
  assert.match(String(res.headers['content-type']), /^text\/html/);
}

export function assertRedirect(res: LightMyRequestResponse, location: string) {
  assert.equal(res.statusCode, 303, res.body);
  assert.equal(res.headers.location, location);
}

/** The TOTP code an authenticator app holding `base32` shows `ahead` time steps from now. */
export const codeFor = (base32: string, ahead = 0) =>
  totpCode(Buffer.from(Secret.fromBase32(base32.replace(/\s/g, '')).bytes), timeStep(Date.now()) + ahead);

/** The key shown on the enrolment page (in groups of four). */
export const secretOf = (res: LightMyRequestResponse) => {
  const found = /<code class="secret">([A-Z2-7 ]+)<\/code>/.exec(res.body);
  assert.ok(found, `no secret in ${res.body}`);
  return found[1]!.replace(/ /g, '');
};

export const recoveryCodesOf = (res: LightMyRequestResponse) =>
  [...res.body.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!);
