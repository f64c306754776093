import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { Type } from 'typebox';
import { adminConsoleRoutes } from './admin/index.ts';
import {
  authRoutes,
  CookieTokenResponse,
  deliverTokens,
  oauthTokenRoutes,
  registerAccessControl,
  registerBrowserSession,
  registerEscalationGuard,
  tokenManagementRoutes,
} from './auth/index.ts';
import { clientRoutes } from './clients/index.ts';
import { type Clock, systemClock } from './clock.ts';
import { type Config, publicUrl, trustedProxies } from './config/index.ts';
import { canonicalId, type Database } from './db/index.ts';
import { deadLetterRoutes, eventLogRoutes } from './events/index.ts';
import { groupRoutes } from './groups/index.ts';
import {
  amqpProbe,
  type Dependency,
  healthRoutes,
  loggerOptions,
  proxyMatcher,
  redisProbe,
  registerErrorHandling,
  registerHandlerTimeout,
  registerInputGuard,
  requestIdGenerator,
} from './http/index.ts';
import { documentRoute, finishDocument, OPENAPI_COMPONENTS, OPENAPI_TAGS } from './http/openapi-transform.ts';
import { lazySerializers } from './http/serialization.ts';
import { validatorCompiler } from './http/validation.ts';
import { jobRoutes } from './jobs/index.ts';
import { mfaRoutes } from './mfa/index.ts';
import { pageRoutes } from './pages/index.ts';
import { authzRoutes, createGrantReader, policyRoutes } from './policies/index.ts';
import { assignmentRoutes, expand, PERMISSIONS, PLATFORM_PERMISSIONS, roleRoutes } from './roles/index.ts';
import {
  captchaRoutes,
  parseOrigins,
  registerBotFilter,
  registerCors,
  registerRateLimit,
  registerSecurityHeaders,
} from './security/index.ts';
import { createServices } from './services.ts';
import { registerTenantScope, settingsRoutes, tenantRoutes } from './tenants/index.ts';
import { discoveryRoutes, sessionRoutes, signingKeyRoutes, TokenResponseSchema } from './tokens/index.ts';
import { accountRoutes, meRoutes, type PasswordHasher, userinfoRoutes, userRoutes } from './users/index.ts';
import { webhookRoutes } from './webhooks/index.ts';

export interface AppDeps {
  database: Database;
  /** 32-byte key that encrypts secrets at rest. */
  keyEncryptionKey: Buffer;
  clock?: Clock;
  hasher?: PasswordHasher;
  logger?: FastifyBaseLogger;
}

/** Builds the whole service around its dependencies. It never listens: `main.ts` does. */
export async function buildApp(config: Config, deps: AppDeps): Promise<FastifyInstance> {
  const clock = deps.clock ?? systemClock;
  const { database } = deps;
  const isTrustedProxy = proxyMatcher(trustedProxies(config));
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: loggerOptions(config.LOG_LEVEL) }),
    bodyLimit: config.BODY_LIMIT_BYTES,
    // requestTimeout bounds receiving the request (Node answers 408); registerHandlerTimeout bounds
    // handling it (503, IAM_ERR_UNAVAILABLE), so no request is held past REQUEST_TIMEOUT_MS.
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    genReqId: requestIdGenerator(isTrustedProxy),
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    trustProxy: (address: string) => isTrustedProxy(address),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
    schemaController: { compilersFactory: { buildSerializer: lazySerializers } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // JSON only (forms are added where an RFC asks for them): anything else is a 415, not a string body.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app);
  registerHandlerTimeout(app, config.REQUEST_TIMEOUT_MS);
  registerInputGuard(app);

  const baseUrl = publicUrl(config);
  registerSecurityHeaders(app, { https: baseUrl.startsWith('https:') });
  const browser = await registerBrowserSession(app, {
    keyEncryptionKey: deps.keyEncryptionKey,
    publicUrl: baseUrl,
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version: '0.1.0',
        description:
          'Multi-tenant identity and access management. Errors are RFC 9457 problem details (docs/errors.md).',
      },
      servers: [{ url: baseUrl }],
      tags: OPENAPI_TAGS,
      components: OPENAPI_COMPONENTS,
    },
    // Completes every operation from the route's declarations (src/http/openapi-transform.ts).
    transform: documentRoute,
    transformObject: finishDocument,
  });
  // The UI's own CSP (its scripts and styles from this origin) replaces the API's `default-src 'none'`.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true }, staticCSP: true });
  app.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  const services = createServices(config, { ...deps, clock, log: app.log });
  const { feed, tokens, users, accounts, sessions } = services;
  app.addHook('onReady', () => feed.start());
  app.addHook('onReady', () => services.events.start());
  app.addHook('onClose', async () => services.events.stop());
  app.addHook('onReady', async () => services.jobs.start());
  app.addHook('onClose', async () => services.jobs.stop());
  app.addHook('onClose', async () => feed.stop());
  // Counted before the tenant is looked up, so floods of made-up tenant slugs cost no query.
  registerRateLimit(app, {
    store: services.counters,
    enabled: config.RATE_LIMIT_ENABLED,
    globalPerMinute: config.RATE_LIMIT_GLOBAL_PER_MINUTE,
    now: () => clock.now().getTime(),
  });
  app.addHook('onClose', async () => services.counters.close());
  // The hashing threads are the app's own unless the caller passed a hasher in.
  if (!deps.hasher) app.addHook('onClose', () => services.hasher.close());
  registerTenantScope(app, services.tenantDirectory);
  registerCors(app, {
    platformOrigins: parseOrigins(config.CORS_ALLOWED_ORIGINS),
    directory: services.tenantDirectory,
  });
  registerBotFilter(app, services.botFilter);
  registerAccessControl(app, {
    database,
    tokens,
    revocations: services.revocations,
    subjects: services.subjects,
    authorizer: services.authorizer,
    clientPermissions: services.clients.permissions,
  });
  const accessDeps = {
    subjects: services.subjects,
    authorizer: services.authorizer,
    clientPermissions: services.clients.permissions,
  };
  const grantsOf = createGrantReader({ database, catalogue: Object.keys(PERMISSIONS) });
  registerEscalationGuard(app, {
    access: accessDeps,
    catalogue: Object.keys(PERMISSIONS),
    platformOnly: PLATFORM_PERMISSIONS,
    expand,
    documentGrants: grantsOf.documentGrants,
    policyGrants: grantsOf.policy,
    // An unknown role is its 404 here, before the assignment is looked at.
    async roleGrants(tenantId, roleId) {
      const role = await services.roles.get(tenantId, roleId);
      return [
        ...role.permissions.flatMap(expand),
        ...(await grantsOf.attachedTo(tenantId, { groups: [], roles: [role.id] })),
      ];
    },
    async groupGrants(tenantId, rawGroupId) {
      // A malformed or unknown group gives nothing; the route answers its 404.
      const groupId = canonicalId(rawGroupId);
      if (!groupId) return [];
      const roles = await services.assignments.rolesOfGroup(tenantId, groupId).catch(() => []);
      const fromRoles = roles.flatMap((role) => role.permissions.flatMap(expand));
      const attached = await grantsOf.attachedTo(tenantId, {
        groups: [groupId],
        roles: roles.map((r) => r.id),
      });
      return [...fromRoles, ...attached];
    },
  });

  const dependencies: Record<string, Dependency> = {
    database: { probe: () => database.ping(), required: true },
  };
  if (config.REDIS_URL) {
    const redis = redisProbe(config.REDIS_URL);
    dependencies.redis = { probe: redis.probe, required: false };
    app.addHook('onClose', redis.close);
  }
  if (config.AMQP_URL) dependencies.rabbitmq = { probe: amqpProbe(config.AMQP_URL), required: false };

  await app.register(healthRoutes, { dependencies });
  await app.register(settingsRoutes, { settings: services.settings });
  await app.register(tenantRoutes, {
    service: services.tenantService,
    directory: services.tenantDirectory,
    inviteAdministrator: (trx, tenant, email, actorId) =>
      users.inviteAdministrator(trx, { id: tenant.id, settings: tenant.settings }, email, actorId),
  });
  await app.register(authRoutes, {
    deps: {
      database,
      hasher: services.hasher,
      sessions,
      mfa: services.mfaLogin,
      guards: services.guards,
      clock,
    },
    sessions,
    browser,
  });
  await app.register(mfaRoutes, {
    mfa: services.mfa,
    login: services.mfaLogin,
    deliver: (request, reply, tokens, mode) => deliverTokens(browser, request, reply, tokens, mode),
    tokenSchema: Type.Union([TokenResponseSchema, CookieTokenResponse]),
  });
  await app.register(oauthTokenRoutes, {
    deps: { sessions, clients: services.clients, tokens },
  });
  await app.register(tokenManagementRoutes, { deps: { ...services, database, clock } });
  await app.register(discoveryRoutes, { keys: services.keys, tokens });
  await app.register(signingKeyRoutes, { keys: services.keys });
  await app.register(sessionRoutes, { sessions, userExists: services.userExists });
  await app.register(clientRoutes, { clients: services.clients });
  await app.register(groupRoutes, { service: services.groups });
  await app.register(userRoutes, { users });
  await app.register(userinfoRoutes, { directory: services.subjects });
  await app.register(meRoutes, { users, self: services.self, directory: services.subjects });
  await app.register(accountRoutes, {
    accounts,
    captchaGate: (request, email, solution) =>
      services.guards.requireCaptchaIfDue(
        { tenantId: request.tenant!.id, email, ip: request.ip },
        request.tenantSettings,
        solution,
      ),
  });
  await app.register(captchaRoutes, { altcha: services.altcha });
  await app.register(roleRoutes, { roles: services.roles });
  await app.register(assignmentRoutes, { assignments: services.assignments });
  await app.register(policyRoutes, { policies: services.policies, attachments: services.attachments });
  await app.register(authzRoutes, { authorizer: services.authorizer, clock });
  await app.register(webhookRoutes, { webhooks: services.webhooks });
  await app.register(deadLetterRoutes, { deadLetters: services.deadLetters });
  await app.register(eventLogRoutes, { database });
  await app.register(jobRoutes, { jobs: services.jobs });
  await app.register(pageRoutes, { services, database, clock, publicUrl: baseUrl });
  await app.register(adminConsoleRoutes);
  return app;
}
