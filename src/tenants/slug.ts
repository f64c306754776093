// Lowercase letters, digits and inner hyphens, 3–63 characters: a valid DNS label, so a slug can
// also name a subdomain later.
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$';
const SLUG = new RegExp(SLUG_PATTERN);

export const PLATFORM_SLUG = 'platform';

/** Slugs that would shadow the service's own paths or impersonate it. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  PLATFORM_SLUG,
  'admin',
  'api',
  'auth',
  'assets',
  'default',
  'docs',
  'gatehouse',
  'health',
  'healthz',
  'internal',
  'login',
  'logout',
  'metrics',
  'oauth',
  'readyz',
  'root',
  'static',
  'status',
  'support',
  'system',
  'well-known',
  'www',
]);

export function isValidSlug(slug: string): boolean {
  return SLUG.test(slug);
}
