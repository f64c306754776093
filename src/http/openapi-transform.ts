import type { FastifySchema, RouteOptions } from 'fastify';
import { ERROR_CATALOGUE, type ErrorCode } from './error-catalogue.ts';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem.ts';
import { BEARER } from './route-schemas.ts';

// What every route has in common is documented here, once, instead of in each route file: the
// @fastify/swagger `transform` completes each operation from the route's own declarations
// (`config.permission`, `config.restricted`, `config.rateLimit`, `config.botFilter`, its body,
// query and path), and `transformObject` makes every problem response point at one shared schema.

/** Where the shared problem schema lives in the document. */
export const PROBLEM_REF = '#/components/schemas/Problem';

/** The tags operations use, each with what it groups; a test fails on an undeclared tag. */
export const OPENAPI_TAGS = [
  { name: 'health', description: 'Liveness and readiness probes for load balancers and orchestrators.' },
  { name: 'tenants', description: 'Platform operators onboard, rename, suspend and delete tenants.' },
  {
    name: 'settings',
    description: 'A tenant’s own settings: sign-in, MFA, password, token and rate-limit policy.',
  },
  { name: 'auth', description: 'Sign-in with email and password, the second factor, and sign-out.' },
  { name: 'mfa', description: 'TOTP authenticators and recovery codes (RFC 6238).' },
  {
    name: 'tokens',
    description:
      'OAuth 2.0 token, revocation (RFC 7009) and introspection (RFC 7662) endpoints, OpenID Connect discovery, JWKS and signing keys.',
  },
  { name: 'sessions', description: 'Sign-in sessions of the caller or of a user, and ending them.' },
  { name: 'clients', description: 'Service clients that authenticate with the client credentials grant.' },
  {
    name: 'users',
    description: 'Users of a tenant: administration, self-service profile, registration and email links.',
  },
  { name: 'groups', description: 'Groups of users and their members.' },
  {
    name: 'roles',
    description: 'The permission catalogue, roles, and their assignment to users and groups.',
  },
  { name: 'policies', description: 'Policy documents, their versions and attachments (docs/policies.md).' },
  {
    name: 'authorization',
    description: 'Decisions for applications: may this user do this action on this resource?',
  },
  { name: 'security', description: 'Captcha challenges for sign-in, registration and password reset.' },
  { name: 'webhooks', description: 'Event deliveries to tenants’ HTTPS endpoints, signed.' },
  { name: 'dead-letters', description: 'Messages the queue gave up on: list, replay and purge them.' },
  { name: 'events', description: "A tenant's event log: its audit trail." },
  { name: 'jobs', description: 'Scheduled maintenance jobs and their runs.' },
];

/** Security schemes and the shared problem schema, for the document's `components`. */
export const OPENAPI_COMPONENTS = {
  securitySchemes: {
    bearer: {
      type: 'http' as const,
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'An access token of the tenant in the path (of the platform tenant on `/v1/…`).',
    },
    client_secret_basic: {
      type: 'http' as const,
      scheme: 'basic',
      description:
        'OAuth client authentication (RFC 6749 §2.3.1): `client_id:client_secret`. The OAuth endpoints also take them as `client_secret_post` form fields.',
    },
  },
  schemas: { Problem: ProblemSchema },
};

// Load balancers poll these; they are exempt from rate limits (src/security/rate-limit.ts).
const RATE_LIMIT_EXEMPT = new Set(['/healthz', '/readyz']);
const TENANT_PREFIX = '/t/:tenant/';
const OAUTH_PREFIX = '/t/:tenant/oauth/';
const SUCCESS: Record<string, string> = {
  200: 'OK.',
  201: 'Created.',
  202: 'Accepted: the work goes on after the answer.',
  204: 'Done; no content.',
};

const OAUTH_ERROR =
  'RFC 6749 §5.2 error (`error`, `error_description`), as OAuth client libraries expect: `invalid_request`, `invalid_client`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type` or `unsupported_token_type`.';

/** The path segment naming a resource → the code answered when its id names nothing. */
const NOT_FOUND: Record<string, ErrorCode[]> = {
  tenants: ['IAM_ERR_TENANT_NOT_FOUND'],
  users: ['IAM_ERR_USER_NOT_FOUND'],
  me: ['IAM_ERR_USER_NOT_FOUND'],
  groups: ['IAM_ERR_GROUP_NOT_FOUND'],
  members: ['IAM_ERR_USER_NOT_FOUND'],
  roles: ['IAM_ERR_ROLE_NOT_FOUND'],
  policies: ['IAM_ERR_POLICY_NOT_FOUND'],
  attachments: ['IAM_ERR_USER_NOT_FOUND', 'IAM_ERR_GROUP_NOT_FOUND', 'IAM_ERR_ROLE_NOT_FOUND'],
  sessions: ['IAM_ERR_SESSION_NOT_FOUND'],
  clients: ['IAM_ERR_CLIENT_NOT_FOUND'],
  webhooks: ['IAM_ERR_WEBHOOK_NOT_FOUND'],
  'dead-letters': ['IAM_ERR_DEAD_LETTER_NOT_FOUND'],
  jobs: ['IAM_ERR_JOB_NOT_FOUND'],
};

/** What the transform knows about a route, from its declarations. */
interface RouteFacts {
  url: string;
  tags: string[];
  bearer: boolean;
  tenant: boolean;
  oauth: boolean;
  body: boolean;
  bodyFields: string[];
  query: string[];
  /** Path parameters other than `tenant`, which tenant resolution checks itself. */
  params: string[];
  bucket?: string;
  botFilter: boolean;
  restricted: readonly string[];
  /** Statuses the route declares itself. */
  declared: Set<number>;
}

/**
 * Codes a route's own declarations make possible at a status it declares: the route's author
 * listed the status; these say which catalogue codes the module answers with there.
 */
// Codes are strings here so that a rule may name a code before it lands in the catalogue; those
// not (or no longer) in it are left out.
const MODULE_CODES: { codes: string[]; when: (r: RouteFacts) => boolean }[] = [
  {
    codes: ['IAM_ERR_TENANT_SLUG_TAKEN', 'IAM_ERR_TENANT_SLUG_RESERVED'],
    when: (r) => r.tags.includes('tenants') && r.bodyFields.includes('slug'),
  },
  // The platform tenant cannot be suspended or deleted.
  { codes: ['IAM_ERR_TENANT_PROTECTED'], when: (r) => r.url === '/v1/tenants/:tenant' },
  {
    codes: ['IAM_ERR_EMAIL_TAKEN'],
    when: (r) => r.bodyFields.includes('email') && !r.url.includes('/auth/'),
  },
  { codes: ['IAM_ERR_RESTORE_EXPIRED'], when: (r) => r.url.endsWith('/restore') },
  // Any request: an unparsable URL or header, a header or parameter failing its schema, a stale ETag.
  {
    codes: ['IAM_ERR_MALFORMED_REQUEST', 'IAM_ERR_VALIDATION', 'IAM_ERR_PRECONDITION_FAILED'],
    when: () => true,
  },
  {
    codes: ['IAM_ERR_WEAK_PASSWORD'],
    when: (r) =>
      r.bodyFields.includes('new_password') ||
      (r.bodyFields.includes('password') && !r.url.endsWith('/auth/login') && !r.bearer) ||
      (r.bodyFields.includes('password') && r.url.endsWith('/v1/users')),
  },
  {
    codes: ['IAM_ERR_WRONG_PASSWORD'],
    // Sensitive self-service changes confirm the current password.
    when: (r) =>
      r.bearer &&
      (r.bodyFields.includes('current_password') ||
        (r.bodyFields.includes('password') && r.url.includes('/me'))),
  },
  { codes: ['IAM_ERR_REGISTRATION_DISABLED'], when: (r) => r.url.endsWith('/auth/register') },
  { codes: ['IAM_ERR_UNAUTHENTICATED', 'IAM_ERR_CSRF'], when: (r) => r.url.endsWith('/auth/refresh') },
  {
    codes: ['IAM_ERR_LINK_INVALID', 'IAM_ERR_LINK_EXPIRED', 'IAM_ERR_LINK_USED', 'IAM_ERR_LINK_SUPERSEDED'],
    when: (r) => !r.oauth && r.bodyFields.includes('token'),
  },
  {
    codes: ['IAM_ERR_CAPTCHA_REQUIRED', 'IAM_ERR_CAPTCHA_INVALID'],
    when: (r) => r.bodyFields.includes('captcha'),
  },
  {
    codes: ['IAM_ERR_INVALID_CREDENTIALS', 'IAM_ERR_PASSWORD_LOGIN_DISABLED'],
    when: (r) => r.url.endsWith('/auth/login'),
  },
  { codes: ['IAM_ERR_ACCOUNT_LOCKED'], when: (r) => r.bucket === 'login' },
  {
    codes: ['IAM_ERR_MFA_TOKEN_INVALID', 'IAM_ERR_MFA_CODE_INVALID', 'IAM_ERR_MFA_TOO_MANY_ATTEMPTS'],
    when: (r) => r.bucket === 'mfa_verify',
  },
  {
    codes: ['IAM_ERR_MFA_DISABLED', 'IAM_ERR_MFA_NOT_ENROLLED', 'IAM_ERR_MFA_REQUIRED_BY_TENANT'],
    when: (r) => r.tags.includes('mfa'),
  },
  {
    codes: ['IAM_ERR_MFA_CODE_INVALID'],
    when: (r) => r.tags.includes('mfa') && r.bodyFields.includes('code'),
  },
  { codes: ['IAM_ERR_GROUP_NAME_TAKEN'], when: (r) => r.tags.includes('groups') && r.body },
  { codes: ['IAM_ERR_ROLE_NAME_TAKEN'], when: (r) => r.tags.includes('roles') && r.body },
  { codes: ['IAM_ERR_ROLE_PROTECTED'], when: (r) => /\/roles\/:id$/.test(r.url) },
  { codes: ['IAM_ERR_POLICY_NAME_TAKEN'], when: (r) => r.tags.includes('policies') && r.body },
  { codes: ['IAM_ERR_POLICY_INVALID'], when: (r) => r.tags.includes('policies') && r.body },
  // Documents per tenant, and attachments per target.
  {
    codes: ['IAM_ERR_POLICY_LIMIT'],
    when: (r) => r.tags.includes('policies') && (r.body || r.url.includes('/attachments/')),
  },
  { codes: ['IAM_ERR_POLICY_INVALID'], when: (r) => r.url.endsWith('/authz/simulate') },
  { codes: ['IAM_ERR_USER_NOT_FOUND'], when: (r) => r.bodyFields.includes('subject') },
  {
    codes: ['IAM_ERR_WEBHOOK_URL_REFUSED'],
    when: (r) => r.tags.includes('webhooks') && r.bodyFields.includes('url'),
  },
  { codes: ['IAM_ERR_JOB_RUNNING'], when: (r) => r.url.includes('/jobs') },
];

/** Codes every route with these traits can answer, whether or not it declares the status. */
function commonCodes(r: RouteFacts): ErrorCode[] {
  const codes: ErrorCode[] = ['IAM_ERR_INTERNAL', 'IAM_ERR_UNAVAILABLE'];
  if (!RATE_LIMIT_EXEMPT.has(r.url)) codes.push('IAM_ERR_RATE_LIMITED');
  if (r.tenant) codes.push('IAM_ERR_TENANT_NOT_FOUND', 'IAM_ERR_TENANT_SUSPENDED');
  if (r.bearer) {
    codes.push('IAM_ERR_UNAUTHENTICATED', 'IAM_ERR_FORBIDDEN');
    // Restricted sessions reach only the routes that accept their restriction.
    if (!r.restricted.includes('mfa_enrollment')) codes.push('IAM_ERR_MFA_ENROLLMENT_REQUIRED');
    if (!r.restricted.includes('password_change')) codes.push('IAM_ERR_PASSWORD_CHANGE_REQUIRED');
  }
  if (r.botFilter) codes.push('IAM_ERR_BOT_DETECTED');
  if (r.body) {
    codes.push('IAM_ERR_PAYLOAD_TOO_LARGE');
    // The OAuth endpoints answer unparsable and invalid forms as RFC 6749 `invalid_request`.
    if (!r.oauth)
      codes.push('IAM_ERR_MALFORMED_REQUEST', 'IAM_ERR_UNSUPPORTED_MEDIA_TYPE', 'IAM_ERR_VALIDATION');
  }
  if (!r.oauth && (r.query.length > 0 || r.params.length > 0)) codes.push('IAM_ERR_VALIDATION');
  if (r.query.includes('cursor')) codes.push('IAM_ERR_INVALID_CURSOR');
  return codes;
}

function notFoundCodes(r: RouteFacts): ErrorCode[] {
  const segments = r.url.split('/');
  const codes: ErrorCode[] = [];
  segments.forEach((segment, i) => {
    const next = segments[i + 1];
    const names = NOT_FOUND[segment];
    // A segment names a resource looked up by id when a parameter follows it (`/users/:id`), or
    // when it is the caller's own account (`/me`), which may be deleted meanwhile.
    if (names && (segment === 'me' || (next?.startsWith(':') && next !== ':tenant') || segment === 'tenants'))
      codes.push(...names);
  });
  return r.url.startsWith('/v1/tenants') && !r.url.includes(':tenant')
    ? codes.filter((c) => c !== 'IAM_ERR_TENANT_NOT_FOUND')
    : codes;
}

const isCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CATALOGUE, code);

/** Every code this route can answer, by status. */
function problemCodes(r: RouteFacts): Map<number, ErrorCode[]> {
  const codes = new Set<ErrorCode>(commonCodes(r));
  const declaredOnly = [
    ...notFoundCodes(r),
    ...MODULE_CODES.filter((m) => m.when(r)).flatMap((m) => m.codes),
  ].filter(isCode);
  for (const code of declaredOnly) if (r.declared.has(ERROR_CATALOGUE[code].status)) codes.add(code);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const { status } = ERROR_CATALOGUE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return byStatus;
}

function problemDescription(status: number, codes: readonly ErrorCode[]): string {
  if (codes.length === 0)
    return `Problem details (RFC 9457); see docs/errors.md for the codes with status ${status}.`;
  const list = codes.map((c) => `\`${c}\` (${ERROR_CATALOGUE[c].title})`).join(', ');
  return `Problem details (RFC 9457). \`code\`: ${list}.`;
}

const propertyNames = (schema: unknown): string[] => {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties ? Object.keys(properties) : [];
};

function factsOf(schema: FastifySchema, route: RouteOptions): RouteFacts {
  const config = (route.config ?? {}) as {
    permission?: string;
    restricted?: readonly string[];
    rateLimit?: string;
    botFilter?: boolean;
  };
  const response = (schema.response ?? {}) as Record<string, unknown>;
  return {
    url: route.url,
    tags: (schema.tags as string[] | undefined) ?? [],
    bearer: config.permission !== undefined && config.permission !== 'public',
    tenant: route.url.startsWith(TENANT_PREFIX),
    oauth: route.url.startsWith(OAUTH_PREFIX),
    body: schema.body !== undefined,
    bodyFields: propertyNames(schema.body),
    query: propertyNames(schema.querystring),
    params: (propertyNames(schema.params).length > 0
      ? propertyNames(schema.params)
      : [...route.url.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1] ?? '')
    ).filter((p) => p !== 'tenant' || !route.url.startsWith(TENANT_PREFIX)),
    ...(config.rateLimit ? { bucket: config.rateLimit } : {}),
    botFilter: config.botFilter === true,
    restricted: config.restricted ?? [],
    declared: new Set(Object.keys(response).map(Number)),
  };
}

/** The security an OAuth endpoint takes: client credentials, optional except for introspection. */
function oauthSecurity(url: string): Record<string, string[]>[] {
  if (url.endsWith('/introspect')) return [{ client_secret_basic: [] }, { bearer: [] }];
  return [{}, { client_secret_basic: [] }];
}

/** A problem response: the shared schema, marked for `finishDocument`, with the codes it carries. */
const problemResponse = (description: string) => ({
  ...ProblemSchema,
  'x-problem': true,
  'x-response-description': description,
});

/**
 * @fastify/swagger `transform`: completes one route's operation. It adds `x-permission` (and
 * `x-restricted`, `x-rate-limit`), the security the route needs (`[]` when public), a description
 * to every success response, and every problem response the shared pipeline can answer — 401/403
 * on bearer routes, 404/403 for the tenant in the path, 400/413/415/422 with a body, 422 with
 * parameters, 429, 500 and 503 — each listing the IAM_ERR_* codes it carries.
 */
export function documentRoute({
  schema,
  url,
  route,
}: {
  schema: FastifySchema;
  url: string;
  route: RouteOptions;
}): { schema: FastifySchema; url: string } {
  if (!schema || (schema as { hide?: boolean }).hide) return { schema, url };
  const config = (route.config ?? {}) as {
    permission?: string;
    restricted?: readonly string[];
    rateLimit?: string;
  };
  const facts = factsOf(schema, route);
  const response: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries((schema.response ?? {}) as Record<string, unknown>)) {
    const described = (answer as { description?: string }).description;
    if (answer === ProblemSchema) response[status] = problemResponse('');
    else if (!described && facts.oauth && Number(status) >= 400)
      response[status] = { ...(answer as object), 'x-response-description': OAUTH_ERROR };
    else if (!described && SUCCESS[status])
      response[status] = { ...(answer as object), 'x-response-description': SUCCESS[status] };
    else response[status] = answer;
  }
  for (const [status, codes] of problemCodes(facts)) {
    const current = response[status] as Record<string, unknown> | undefined;
    // A status the route answers in another shape (the OAuth endpoints' RFC 6749 errors) stays as it is.
    if (current === undefined || current['x-problem'])
      response[status] = problemResponse(problemDescription(status, codes));
  }
  for (const [status, current] of Object.entries(response)) {
    const marked = current as Record<string, unknown>;
    if (marked['x-problem'] && marked['x-response-description'] === '')
      response[status] = problemResponse(problemDescription(Number(status), []));
  }
  const security =
    config.permission === 'public'
      ? facts.oauth
        ? oauthSecurity(route.url)
        : []
      : (schema.security ?? BEARER);
  const extensions: Record<string, unknown> = { 'x-permission': config.permission ?? 'public' };
  if (config.restricted?.length) extensions['x-restricted'] = [...config.restricted];
  if (config.rateLimit) extensions['x-rate-limit'] = config.rateLimit;
  const sorted = Object.fromEntries(Object.entries(response).sort(([a], [b]) => a.localeCompare(b)));
  return { schema: { ...schema, security, response: sorted, ...extensions } as FastifySchema, url };
}

interface MediaObject {
  schema?: Record<string, unknown>;
}

/**
 * @fastify/swagger `transformObject`: every problem response becomes `application/problem+json`
 * with a reference to the one shared schema, instead of a copy of it per operation.
 */
export function finishDocument<T>(documentObject: { openapiObject?: T } | { swaggerObject?: unknown }): T {
  const document = (documentObject as { openapiObject: T }).openapiObject;
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  for (const item of Object.values(paths)) {
    for (const operation of Object.values(item)) {
      const responses = (
        operation as { responses?: Record<string, { content?: Record<string, MediaObject> }> }
      ).responses;
      for (const answer of Object.values(responses ?? {})) {
        const media = Object.values(answer.content ?? {})[0];
        if (media?.schema?.['x-problem'] === true) {
          answer.content = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: PROBLEM_REF } } };
        }
      }
    }
  }
  return document;
}
