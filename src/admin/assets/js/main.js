import { createApi, tenantPath } from './api.js';
import { h, replace } from './dom.js';
import { createRouter, to } from './router.js';
import { PLATFORM_SECTIONS, ROUTES, TENANT_SECTIONS } from './screens/index.js';
import { createSession } from './session.js';
import { announce, button, problemBox } from './ui.js';

const PLATFORM = 'platform';
const main = /** @type {HTMLElement} */ (document.getElementById('main'));
const nav = /** @type {HTMLElement} */ (document.getElementById('nav'));
const who = /** @type {HTMLElement} */ (document.getElementById('who'));

const session = createSession();
const api = createApi({
  token: () => session.token(),
  expired: () => session.expired(),
});
const router = createRouter(ROUTES);

session.onEnd(() => {
  announce('Your session has ended. Sign in again.');
  go(to('sign-in'));
});

/** @param {string} hash */
function go(hash) {
  if (location.hash === hash) void show();
  else location.hash = hash;
}

/** Where an administrator lands after signing in. */
const home = () => (session.home === PLATFORM ? to('tenants') : to('t', session.home ?? '', 'users'));

/** The tenant a screen is about: from its path, else the one signed in to. @param {Record<string, string>} params */
const tenantOf = (params) => params.slug ?? (session.home === PLATFORM ? null : session.home);

/** @param {string | null} slug @param {string} current */
async function renderNav(slug, current) {
  const operator = session.home === PLATFORM;
  // A screen's filters ride in its hash (`#/t/acme/users?email=…`) and its items below it
  // (`#/t/acme/users/{id}`): the section is the path before `?`, or its parent.
  const path = current.split('?')[0];
  const within = (hash) => path === hash || path.startsWith(`${hash}/`);
  const item = (title, hash) =>
    h('li', {}, h('a', { href: hash, 'aria-current': within(hash) ? 'page' : undefined }, title));
  const lists = [];
  if (operator) {
    lists.push(
      h('h2', {}, 'Platform'),
      h(
        'ul',
        {},
        PLATFORM_SECTIONS.map(([title, path]) => item(title, to(path))),
      ),
    );
  }
  if (slug) {
    lists.push(
      h('h2', {}, operator ? `Tenant ${slug}` : 'Tenant'),
      h(
        'ul',
        {},
        TENANT_SECTIONS.map(([title, path]) => item(title, to('t', slug, path))),
      ),
    );
  }
  replace(nav, lists);
}

async function renderWho() {
  if (!session.signedIn) return replace(who);
  const claims = session.claims;
  let name = String(claims?.sub ?? '');
  try {
    const me = await api.get(tenantPath(session.home ?? '', '/me'));
    name = me.email;
  } catch {
    // a restricted session may not read its profile: the subject id will do
  }
  replace(
    who,
    h('span', {}, `${name} · ${session.home}`),
    button('Sign out', async () => {
      await session.signOut();
      go(to('sign-in'));
    }),
  );
}

async function show() {
  if (!location.hash) return go(session.signedIn ? home() : to('sign-in'));
  const resolved = router.resolve(location.hash);
  if (!resolved) {
    replace(main, h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, 'There is no such screen.'));
    return;
  }
  const { route, params, query } = resolved;
  const isSignIn = route.path === '/sign-in';
  if (!isSignIn && !session.signedIn) return go(to('sign-in'));
  const slug = isSignIn ? null : tenantOf(params);
  // A tenant's token is worthless at another tenant, and platform screens are for operators: say so
  // rather than send a request the API would refuse.
  const refusal =
    slug && session.home !== PLATFORM && slug !== session.home
      ? ['Not your tenant', `You are signed in to ${session.home}.`]
      : route.platform && session.home !== PLATFORM
        ? ['Operators only', 'This screen is for platform operators.']
        : null;
  if (refusal) {
    replace(main, h('h1', { tabindex: '-1' }, refusal[0]), h('p', {}, refusal[1]));
    return;
  }
  document.title = `${route.title} · Gatehouse console`;
  await renderNav(slug, location.hash);
  main.setAttribute('aria-busy', 'true');
  replace(main);
  try {
    await route.render({ api, session, main, params, query, slug, go, refreshChrome: renderWho });
  } catch (error) {
    replace(main, h('h1', { tabindex: '-1' }, route.title), problemBox(error));
  } finally {
    main.removeAttribute('aria-busy');
  }
  // Move focus to the new screen's heading, so keyboard and screen-reader users land on it.
  /** @type {HTMLElement | null} */ (main.querySelector('h1'))?.focus();
}

window.addEventListener('hashchange', () => void show());
await session.resume();
await renderWho();
await show();
