import { routes as clients } from './clients.js';
import { routes as deadLetters } from './dead-letters.js';
import { routes as events } from './events.js';
import { routes as groups } from './groups.js';
import { routes as jobs } from './jobs.js';
import { routes as keys } from './keys.js';
import { routes as policies } from './policies.js';
import { routes as roles } from './roles.js';
import { routes as settings } from './settings.js';
import { routes as signIn } from './sign-in.js';
import { routes as tenants } from './tenants.js';
import { routes as users } from './users.js';

/** Every screen of the console. @type {import('../router.js').Route[]} */
export const ROUTES = [
  ...signIn,
  ...tenants,
  ...users,
  ...groups,
  ...roles,
  ...policies,
  ...clients,
  ...settings,
  ...keys,
  ...deadLetters,
  ...jobs,
  ...events,
];

/** The sections of a tenant, in the navigation's order: [title, path under #/t/{slug}/]. */
export const TENANT_SECTIONS = [
  ['Users', 'users'],
  ['Groups', 'groups'],
  ['Roles', 'roles'],
  ['Policies', 'policies'],
  ['Simulator', 'simulator'],
  ['Service clients', 'clients'],
  ['Settings', 'settings'],
  ['Signing keys', 'keys'],
  ['Dead letters', 'dead-letters'],
  ['Events', 'events'],
];

/** The platform operators' own sections. */
export const PLATFORM_SECTIONS = [
  ['Tenants', 'tenants'],
  ['Jobs', 'jobs'],
  ['All dead letters', 'dead-letters'],
];
