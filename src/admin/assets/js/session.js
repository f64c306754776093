import { API_ROOT, Problem, tenantPath } from './api.js';

// The sign-in uses the API's browser mode: the refresh token lives in an HttpOnly, SameSite=Strict
// cookie no script can read; the access token lives only in memory. What survives a reload is the
// tenant slug and the CSRF token that the refresh needs (useless without the cookie), in
// sessionStorage, which dies with the tab.

const STORE = 'gatehouse.console';
/** Refresh this long before the access token expires, so a request never carries a stale one. */
const EARLY_MS = 30_000;

/**
 * @param {string} path @param {unknown} body @param {Record<string, string>} [headers]
 */
async function post(path, body, headers = {}) {
  const res = await fetch(API_ROOT + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = res.status === 204 ? null : await res.json().catch(() => ({}));
  if (!res.ok) throw new Problem(res.status, data ?? {});
  return data;
}

export function createSession() {
  /** @type {{ slug: string, csrf: string } | null} */
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(STORE) ?? 'null');
  } catch {
    saved = null;
  }
  /** @type {{ token: string, expiresAt: number } | null} */
  let access = null;
  /** @type {Promise<boolean> | null} */
  let refreshing = null;
  /** @type {() => void} */
  let onEnded = () => {};

  /** @param {string} slug @param {{access_token: string, expires_in: number, csrf_token: string}} tokens */
  function keep(slug, tokens) {
    access = { token: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 };
    saved = { slug, csrf: tokens.csrf_token };
    sessionStorage.setItem(STORE, JSON.stringify(saved));
  }

  function forget() {
    access = null;
    saved = null;
    sessionStorage.removeItem(STORE);
  }

  async function refresh() {
    if (!saved) return false;
    const { slug, csrf } = saved;
    try {
      keep(slug, await post(tenantPath(slug, '/auth/refresh'), {}, { 'x-csrf-token': csrf }));
      return true;
    } catch {
      forget();
      return false;
    }
  }

  return {
    /** The tenant the administrator signed in to (`platform` for operators). */
    get home() {
      return saved?.slug ?? null;
    },
    get signedIn() {
      return access !== null;
    },
    /** The access token's claims, for display only: the server checks the token on every call. */
    get claims() {
      if (!access) return null;
      const part = access.token.split('.')[1] ?? '';
      return JSON.parse(atob(part.replace(/-/g, '+').replace(/_/g, '/')));
    },
    /** @param {() => void} listener called when the session is gone (expired, revoked, signed out) */
    onEnd(listener) {
      onEnded = listener;
    },
    /** Restores the session of an earlier page load from its cookie. */
    resume: () => (saved ? refresh() : Promise.resolve(false)),
    /**
     * @param {string} slug @param {string} email @param {string} password
     * @returns {Promise<{ mfa_token: string, methods: string[] } | null>} the MFA step, when one is due
     */
    async signIn(slug, email, password) {
      const answer = await post(tenantPath(slug, '/auth/login'), {
        email,
        password,
        refresh_token_delivery: 'cookie',
      });
      if (answer.mfa_required) return answer;
      keep(slug, answer);
      return null;
    },
    /** @param {string} slug @param {string} mfaToken @param {{code?: string, recovery_code?: string}} answer */
    async verify(slug, mfaToken, answer) {
      keep(
        slug,
        await post(tenantPath(slug, '/auth/mfa/verify'), {
          mfa_token: mfaToken,
          ...answer,
          refresh_token_delivery: 'cookie',
        }),
      );
    },
    async signOut() {
      const token = access?.token;
      const slug = saved?.slug;
      forget();
      if (token && slug) {
        await post(tenantPath(slug, '/auth/logout'), {}, { authorization: `Bearer ${token}` }).catch(
          () => {},
        );
      }
    },
    /** A current access token, refreshed when close to expiry; null when signed out. */
    async token() {
      if (access && access.expiresAt - Date.now() > EARLY_MS) return access.token;
      if (!saved) return null;
      refreshing ??= refresh().finally(() => {
        refreshing = null;
      });
      return (await refreshing) ? (access?.token ?? null) : null;
    },
    /** The API answered 401: the session was revoked or expired elsewhere. */
    expired() {
      forget();
      onEnded();
    },
  };
}
