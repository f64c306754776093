import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from './clock.ts';
import type { Config } from './config/index.ts';
import { publicUrl } from './config/index.ts';
import type { Database } from './db/index.ts';
import {
  createAmqpQueue,
  createDatabaseQueue,
  createOutboxRelay,
  createRetryPolicy,
  type EventConsumer,
  idempotentConsumer,
  insertDeadLetter,
  keepTrying,
  onEventsCommitted,
  type QueueBackend,
} from './events/index.ts';
import { createMailer, createNotificationConsumer, type Mailer } from './notifications/index.ts';
import { findTenantById } from './tenants/index.ts';
import type { KeyEncryption } from './tokens/index.ts';
import { findUserById } from './users/index.ts';
import { createWebhookConsumer } from './webhooks/index.ts';

/**
 * Events from the outbox to their consumers: the relay publishes committed events to the queue (the
 * database, or RabbitMQ when AMQP_URL is set), and each consumer (emails, webhooks) takes them from
 * its own queue, idempotently, with retries and dead letters.
 */
export function createEventPipeline(
  config: Config,
  deps: {
    database: Database;
    clock: Clock;
    encryption: KeyEncryption;
    log: FastifyBaseLogger;
    mailer?: Mailer;
  },
) {
  const { database, clock, encryption, log } = deps;
  const retry = createRetryPolicy({
    maxAttempts: config.QUEUE_MAX_ATTEMPTS,
    baseMs: config.QUEUE_RETRY_BASE_MS,
    maxMs: config.QUEUE_RETRY_MAX_MS,
  });
  const mailer =
    deps.mailer ??
    createMailer({
      smtpUrl: config.SMTP_URL,
      tlsRejectUnauthorized: config.SMTP_TLS_REJECT_UNAUTHORIZED,
      dataDir: config.DATA_DIR,
      nodeEnv: config.NODE_ENV,
      log,
    });

  const consumers: EventConsumer[] = [
    createNotificationConsumer({
      mailer,
      encryption,
      baseUrl: publicUrl(config),
      fromAddress: config.MAIL_FROM,
      log,
      async lookupTenant(tenantId) {
        // A suspended or deleted tenant's users cannot act on what a mail would tell them.
        const tenant = await findTenantById(database.db, tenantId);
        if (tenant?.status !== 'active') return undefined;
        return {
          slug: tenant.slug,
          displayName: tenant.displayName,
          senderName: tenant.settings.email.sender_name,
        };
      },
      async lookupRecipient(tenantId, userId) {
        const user = await database.withTenant(tenantId, (trx) => findUserById(trx, tenantId, userId));
        return user && { email: user.email, name: user.name, locale: user.locale, zoneinfo: user.zoneinfo };
      },
    }),
    createWebhookConsumer({
      database,
      encryption,
      clock,
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowInsecure: config.WEBHOOK_ALLOW_INSECURE,
    }),
  ].map((consumer) => idempotentConsumer(consumer, { database, clock }));

  const queue: QueueBackend = config.AMQP_URL
    ? createAmqpQueue({
        url: config.AMQP_URL,
        prefix: config.AMQP_PREFIX,
        prefetch: config.QUEUE_PREFETCH,
        retry,
        clock,
        log,
        consumers,
        deadLetters: async (letter) => {
          await insertDeadLetter(database.db, letter);
        },
      })
    : createDatabaseQueue({
        database,
        clock,
        prefetch: config.QUEUE_PREFETCH,
        pollMs: config.OUTBOX_POLL_MS,
        retry,
        log,
      });
  const relay = createOutboxRelay({
    database,
    queue,
    clock,
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollMs: config.OUTBOX_POLL_MS,
    log,
  });

  let unsubscribe: (() => void) | undefined;
  let starting: Promise<void> | undefined;
  const stopping = new AbortController();
  return {
    queue,
    relay,
    /**
     * Starts in the background: a broker that is down at start must not keep the service from
     * serving (readiness reports it); events wait in the outbox until the queue is reachable.
     */
    start() {
      unsubscribe = onEventsCommitted(() => relay.wake());
      // Without consumers here, the queue only needs to know them to route what the relay publishes.
      if (!config.EVENT_CONSUMERS_ENABLED) {
        relay.start();
        return;
      }
      // A broker away at start is waited out (events wait in the outbox), however long it takes.
      starting = keepTrying(() => queue.start(consumers), {
        forMs: Number.POSITIVE_INFINITY,
        maxWaitMs: 30_000,
        signal: stopping.signal,
        onFailure: (error, waitMs) =>
          log.error(
            { err: error, retry_in_ms: waitMs },
            'the event queue did not start; events wait in the outbox',
          ),
      }).then(
        () => {
          if (!stopping.signal.aborted) relay.start();
        },
        () => {},
      );
    },
    async stop() {
      stopping.abort();
      unsubscribe?.();
      await relay.stop();
      await queue.stop();
      await starting;
      await mailer.close?.();
    },
  };
}

export type EventPipeline = ReturnType<typeof createEventPipeline>;
