import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { authRoutes, createSubjectDirectory, registerAccessControl } from './auth/index.ts';
import { type Clock, systemClock } from './clock.ts';
import { type Config, publicUrl, trustedProxies } from './config/index.ts';
import type { Database } from './db/index.ts';
import { createInvalidationFeed } from './events/index.ts';
import {
  amqpProbe,
  healthRoutes,
  loggerOptions,
  type Probe,
  proxyMatcher,
  redisProbe,
  registerErrorHandling,
  requestIdGenerator,
} from './http/index.ts';
import { validatorCompiler } from './http/validation.ts';
import {
  createTenantDirectory,
  createTenantService,
  registerTenantScope,
  tenantRoutes,
} from './tenants/index.ts';
import {
  createAccessTokens,
  createKeyEncryption,
  createSigningKeyStore,
  discoveryRoutes,
} from './tokens/index.ts';
import {
  accountRoutes,
  createAccountService,
  createPasswordHasher,
  createSelfService,
  createUserService,
  meRoutes,
  type PasswordHasher,
  userRoutes,
} from './users/index.ts';

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
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    genReqId: requestIdGenerator(isTrustedProxy),
    logController: new LogController({ requestIdLogLabel: 'request_id' }),
    trustProxy: (address: string) => isTrustedProxy(address),
    return503OnClosing: true,
    routerOptions: { maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // JSON only (forms are added where an RFC asks for them): anything else is a 415, not a string body.
  app.removeContentTypeParser('text/plain');
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  registerErrorHandling(app);

  const baseUrl = publicUrl(config);
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
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } });
  app.get('/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  const tenantDirectory = createTenantDirectory({ database });
  const tenantService = createTenantService({ database, clock });
  const hasher =
    deps.hasher ??
    createPasswordHasher({
      memoryCost: config.ARGON2_MEMORY_KIB,
      timeCost: config.ARGON2_ITERATIONS,
      parallelism: config.ARGON2_PARALLELISM,
    });
  const encryption = createKeyEncryption(deps.keyEncryptionKey);
  const keys = createSigningKeyStore({ database, encryption, clock });
  const users = createUserService({ database, clock, hasher, encryption });
  const accounts = createAccountService({
    database,
    clock,
    hasher,
    encryption,
    users,
    onBackgroundError: (error) => app.log.error({ err: error }, 'account email work failed'),
  });
  const tokens = createAccessTokens({ baseUrl, keys, tenants: tenantDirectory, clock });
  const feed = createInvalidationFeed({
    database,
    intervalMs: config.INVALIDATION_POLL_MS,
    now: () => clock.now(),
  });
  app.addHook('onReady', () => feed.start());
  app.addHook('onClose', async () => feed.stop());
  const subjects = createSubjectDirectory({ database });

  registerTenantScope(app, tenantDirectory);
  registerAccessControl(app, { tokens, subjects });

  const probes: Record<string, Probe> = { database: () => database.ping() };
  if (config.REDIS_URL) {
    const redis = redisProbe(config.REDIS_URL);
    probes.redis = redis.probe;
    app.addHook('onClose', redis.close);
  }
  if (config.AMQP_URL) probes.rabbitmq = amqpProbe(config.AMQP_URL);

  await app.register(healthRoutes, { probes });
  await app.register(tenantRoutes, { service: tenantService, directory: tenantDirectory });
  await app.register(authRoutes, {
    deps: { database, hasher, tokens, clock, accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS },
  });
  await app.register(discoveryRoutes, { keys });
  await app.register(userRoutes, { users });
  await app.register(meRoutes, {
    users,
    self: createSelfService({ database, clock, hasher, encryption, users }),
  });
  await app.register(accountRoutes, { accounts });
  return app;
}
