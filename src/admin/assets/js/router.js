// Hash routes (`#/t/acme/users/…`): the server serves one document at /admin/, and reloading or
// bookmarking a screen keeps working without any server-side route per screen.

/**
 * @typedef {{ path: string, title: string, render: (ctx: any) => unknown | Promise<unknown>,
 *   platform?: boolean }} Route
 */

/**
 * Compiles `/t/:slug/users/:id` into a matcher that returns the named segments.
 * @param {string} path
 */
function matcher(path) {
  const names = [];
  const source = path.replace(/:([a-z_]+)/g, (_m, name) => {
    names.push(name);
    return '([^/]+)';
  });
  const re = new RegExp(`^${source}$`);
  /** @param {string} hashPath */
  return (hashPath) => {
    const found = re.exec(hashPath);
    if (!found) return null;
    /** @type {Record<string, string>} */
    const params = {};
    names.forEach((name, i) => {
      params[name] = decodeURIComponent(found[i + 1] ?? '');
    });
    return params;
  };
}

/** @param {Route[]} routes */
export function createRouter(routes) {
  const compiled = routes.map((route) => ({ route, match: matcher(route.path) }));
  return {
    /** @param {string} hash */
    resolve(hash) {
      const [path, search = ''] = hash.replace(/^#/, '').split('?');
      for (const { route, match } of compiled) {
        const params = match(path || '/');
        if (params) return { route, params, query: new URLSearchParams(search) };
      }
      return null;
    },
  };
}

/** A hash link to a screen, with each segment encoded. @param {...string} segments */
export const to = (...segments) => `#/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
