import type { FastifyBaseLogger } from 'fastify';
import { createLoginGuards } from './auth/index.ts';
import { createClientService, createSecretHasher } from './clients/index.ts';
import type { Clock } from './clock.ts';
import { type Config, publicUrl } from './config/index.ts';
import { type Database, isUuid } from './db/index.ts';
import { createEventPipeline } from './event-pipeline.ts';
import { createDeadLetterService, createInvalidationFeed, redisSignal } from './events/index.ts';
import { createGroupService } from './groups/index.ts';
import { createJobScheduler } from './jobs/index.ts';
import { createMfaLogin, createMfaService, hasActiveFactor } from './mfa/index.ts';
import { createAttachmentService, createAuthorizer, createPolicyService } from './policies/index.ts';
import { createAssignmentService, createRoleService } from './roles/index.ts';
import {
  altchaHmacKey,
  createAltcha,
  createBotFilter,
  createCaptchaVerifier,
  createCounterStore,
  createMemoryUsedCaptchaStore,
  validPattern,
} from './security/index.ts';
import { createSettingsService, createTenantDirectory, createTenantService } from './tenants/index.ts';
import {
  createAccessTokens,
  createKeyEncryption,
  createRevocationSet,
  createSessionService,
  createSigningKeyStore,
  setSessionRestriction,
} from './tokens/index.ts';
import {
  createAccountService,
  createPasswordHasher,
  createSelfService,
  createUserDirectory,
  createUserService,
  findUserById,
  hashingThreadsPerProcess,
  type PasswordHasher,
} from './users/index.ts';
import { createWebhookService } from './webhooks/index.ts';

/**
 * The composition root: every service built once from configuration and the outside systems, wired
 * to each other here and nowhere else.
 */
export function createServices(
  config: Config,
  deps: {
    database: Database;
    keyEncryptionKey: Buffer;
    clock: Clock;
    hasher?: PasswordHasher;
    log: FastifyBaseLogger;
  },
) {
  const { database, clock } = deps;
  const tenantDirectory = createTenantDirectory({ database });
  const tenantService = createTenantService({ database, clock });
  const settings = createSettingsService({ database, clock, directory: tenantDirectory, validPattern });
  const hasher =
    deps.hasher ??
    createPasswordHasher(
      {
        memoryCost: config.ARGON2_MEMORY_KIB,
        timeCost: config.ARGON2_ITERATIONS,
        parallelism: config.ARGON2_PARALLELISM,
      },
      { threads: config.PASSWORD_HASH_THREADS || hashingThreadsPerProcess(config.WORKERS) },
    );
  const encryption = createKeyEncryption(deps.keyEncryptionKey);
  const keys = createSigningKeyStore({
    database,
    encryption,
    clock,
    publishLeadSeconds: config.SIGNING_KEY_PUBLISH_LEAD_SECONDS,
  });
  const tokens = createAccessTokens({ baseUrl: publicUrl(config), keys, tenants: tenantDirectory, clock });
  const feed = createInvalidationFeed({
    database,
    intervalMs: config.INVALIDATION_POLL_MS,
    now: () => clock.now(),
    ...(config.REDIS_URL ? { signal: redisSignal(config.REDIS_URL) } : {}),
  });
  const revocations = createRevocationSet(feed, () => clock.now().getTime());
  const sessions = createSessionService({ database, clock, tokens });
  const subjects = createUserDirectory({ database, feed });
  const clients = createClientService({
    database,
    clock,
    secrets: createSecretHasher(deps.keyEncryptionKey),
  });
  const users = createUserService({
    database,
    clock,
    hasher,
    encryption,
    endSessions: (trx, tenantId, userId, options) =>
      sessions.revokeSessions(tenantId, userId, { ...options, trx }),
  });
  const accounts = createAccountService({
    database,
    clock,
    hasher,
    encryption,
    users,
    onBackgroundError: (error) => deps.log.error({ err: error }, 'account email work failed'),
  });
  const self = createSelfService({
    database,
    clock,
    hasher,
    encryption,
    users,
    // A changed password ends the password restriction; a tenant requiring MFA may still ask enrolment.
    afterPasswordChange: async (trx, tenant, userId, sessionId) => {
      const enrolmentDue =
        tenant.settings.mfa === 'required' && !(await hasActiveFactor(trx, tenant.id, userId));
      await setSessionRestriction(trx, tenant.id, sessionId, enrolmentDue ? 'mfa_enrollment' : null);
    },
  });
  const mfaWindow = config.MFA_TOTP_WINDOW;
  const mfa = createMfaService({ database, clock, encryption, self, window: mfaWindow });
  const mfaLogin = createMfaLogin({
    database,
    clock,
    encryption,
    sessions,
    window: mfaWindow,
    tokenMaxFailures: config.MFA_TOKEN_MAX_FAILURES,
    userMaxFailures: config.MFA_USER_MAX_FAILURES,
    userFailureWindowSeconds: config.MFA_USER_FAILURE_WINDOW_SECONDS,
  });
  // Abuse controls: counters shared through Redis when configured (rate limits, lockout, captcha).
  const counters = createCounterStore(config.REDIS_URL, deps.log, { now: () => clock.now().getTime() });
  const altcha = createAltcha({
    hmacKey: altchaHmacKey(config.ALTCHA_HMAC_KEY, deps.keyEncryptionKey),
    maxNumber: config.ALTCHA_MAX_NUMBER,
    ttlSeconds: config.CAPTCHA_CHALLENGE_TTL_SECONDS,
    clock,
    used: createMemoryUsedCaptchaStore({ clock }),
  });
  const captcha = createCaptchaVerifier({ altcha, clock, log: deps.log });
  const guards = createLoginGuards({ counters, captcha, clock });
  const botFilter = createBotFilter({ log: deps.log });
  const groups = createGroupService({ database, clock });
  const webhooks = createWebhookService({
    database,
    clock,
    encryption,
    allowInsecure: config.WEBHOOK_ALLOW_INSECURE,
  });
  const events = createEventPipeline(config, { database, clock, encryption, log: deps.log });
  const deadLetters = createDeadLetterService({ database, queue: events.queue, clock });
  const jobs = createJobScheduler({ database, clock, config, log: deps.log });
  const authorizer = createAuthorizer({ database, feed });
  const authzDeps = { database, clock };
  const roles = createRoleService(authzDeps);
  const assignments = createAssignmentService(authzDeps);
  const policies = createPolicyService(authzDeps);
  const attachments = createAttachmentService(authzDeps);
  const userExists = async (tenantId: string, userId: string) =>
    isUuid(userId) &&
    (await database.withTenant(tenantId, (trx) => findUserById(trx, tenantId, userId))) !== undefined;
  return {
    tenantDirectory,
    tenantService,
    settings,
    hasher,
    encryption,
    keys,
    tokens,
    feed,
    revocations,
    sessions,
    subjects,
    clients,
    users,
    accounts,
    self,
    mfa,
    mfaLogin,
    userExists,
    groups,
    counters,
    altcha,
    guards,
    botFilter,
    webhooks,
    events,
    deadLetters,
    jobs,
    authorizer,
    roles,
    assignments,
    policies,
    attachments,
  };
}

export type Services = ReturnType<typeof createServices>;
