import { routes as events } from './events.js';
import { routes as signIn } from './sign-in.js';

/** Every screen of the console. @type {import('../router.js').Route[]} */
export const ROUTES = [...signIn, ...events];

/** The sections of a tenant, in the navigation's order: [title, path under #/t/{slug}/]. */
export const TENANT_SECTIONS = [['Events', 'events']];

/** The platform operators' own sections. */
export const PLATFORM_SECTIONS = [];
