// The console's one way to the server: the public API, with the signed-in administrator's own
// access token. It has no route of its own and no privilege beyond that token's.

/** An RFC 9457 problem answered by the API. */
export class Problem extends Error {
  /** @param {number} status @param {Record<string, any>} body */
  constructor(status, body) {
    super(body.detail || body.title || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || body.error || 'IAM_ERR_UNKNOWN';
    this.title = body.title || '';
    /** @type {{pointer: string, message: string, in?: string}[]} */
    this.errors = Array.isArray(body.errors) ? body.errors : [];
  }
}

/** Where the API lives: the console is served at <root>/admin/, so a proxy's path prefix is kept. */
export const API_ROOT = location.pathname.replace(/\/admin(\/.*)?$/, '');

/**
 * @param {{ token(): Promise<string | null>, expired(): void }} auth
 */
export function createApi(auth) {
  /**
   * @param {string} method
   * @param {string} path  from the API root: `/v1/…` or `/t/{slug}/v1/…`
   * @param {{ query?: Record<string, unknown>, body?: unknown, headers?: Record<string, string> }} [options]
   * @returns {Promise<{ data: any, etag: string | null }>}
   */
  async function send(method, path, options = {}) {
    const url = new URL(API_ROOT + path, location.origin);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, String(value));
    }
    const token = await auth.token();
    /** @type {Record<string, string>} */
    const headers = { accept: 'application/json, application/problem+json', ...options.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    let body;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const res = await fetch(url, { method, headers, body, credentials: 'same-origin' });
    const text = res.status === 204 ? '' : await res.text();
    const data = text ? JSON.parse(text) : null;
    if (!res.ok) {
      if (res.status === 401) auth.expired();
      throw new Problem(res.status, data ?? {});
    }
    return { data, etag: res.headers.get('etag') };
  }
  /** @param {string} method @param {string} path @param {Parameters<typeof send>[2]} [options] */
  const request = async (method, path, options) => (await send(method, path, options)).data;
  return {
    request,
    get: (path, query) => request('GET', path, { query }),
    /** A resource with its ETag, to send back as `If-Match` so a concurrent change is a 412, not lost. */
    versioned: (path) => send('GET', path),
    /**
     * A conditional change: the new state with its new ETag, or a 412 Problem when the resource
     * changed since `etag` was read. @param {string} path @param {unknown} body @param {string | null} etag
     */
    patchVersioned: (path, body, etag) =>
      send('PATCH', path, { body, headers: etag ? { 'if-match': etag } : {} }),
    post: (path, body) => request('POST', path, { body: body ?? {} }),
    /** @param {string} path @param {unknown} body @param {string | null} [etag] from `versioned` */
    patch: (path, body, etag) => request('PATCH', path, { body, headers: etag ? { 'if-match': etag } : {} }),

    put: (path, body) => request('PUT', path, body === undefined ? {} : { body }),
    del: (path) => request('DELETE', path),
  };
}

/** A tenant's API path. @param {string} slug @param {string} path */
export const tenantPath = (slug, path) => `/t/${encodeURIComponent(slug)}/v1${path}`;
