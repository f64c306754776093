import type { Clock } from '../clock.ts';
import { type Database, isUuid } from '../db/index.ts';
import { type EventConsumer, keepTrying, type QueuedEvent, RECORD_RETRY_MS } from '../events/queue/index.ts';
import type { KeyEncryption } from '../tokens/index.ts';
import { listActiveWebhooks, type Webhook } from './webhook-repository.ts';
import { ALL_EVENTS } from './webhook-schemas.ts';
import {
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  USER_AGENT,
  webhookSecretAad,
} from './webhook-signature.ts';
import { type AddressLookup, webhookUrlRefusal } from './webhook-url.ts';

export const WEBHOOK_CONSUMER = 'webhooks';

/** The `consumed_events` name under which one endpoint's deliveries are remembered. */
export const endpointConsumerName = (webhookId: string) => `webhook:${webhookId}`;

export interface WebhookConsumerDeps {
  database: Database;
  encryption: KeyEncryption;
  clock: Clock;
  /** WEBHOOK_TIMEOUT_MS: how long one endpoint has to answer. */
  timeoutMs: number;
  /** WEBHOOK_ALLOW_INSECURE. */
  allowInsecure: boolean;
  fetch?: typeof fetch;
  lookup?: AddressLookup;
}

/** Members that must not leave the service, whatever the event: sealed values (link tokens). */
function withoutSealed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSealed);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !key.endsWith('_sealed'))
      .map(([key, member]) => [key, withoutSealed(member)]),
  );
}

/** The JSON body POSTed for an event: its envelope, with the payload as `data`. */
export function webhookBody(event: QueuedEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    version: event.version,
    tenant_id: event.tenant_id,
    occurred_at: event.occurred_at,
    data: withoutSealed(event.payload),
  });
}

/**
 * An endpoint gets the events that happened while it was registered: a retried or replayed older event
 * does not reach an endpoint created since.
 */
function wants(webhook: Webhook, event: QueuedEvent): boolean {
  const subscribed = webhook.eventTypes.includes(ALL_EVENTS) || webhook.eventTypes.includes(event.type);
  return subscribed && !(Date.parse(webhook.createdAt) > Date.parse(event.occurred_at));
}

/** Why a delivery failed, in words safe to record: no URL (it may carry a token), secret or body. */
function failureOf(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? `network error (${cause.code})` : 'network error';
}

/**
 * The `webhooks` consumer: POSTs each event to every active endpoint of its tenant subscribed to its
 * type. Endpoints are independent: each successful delivery is recorded under the endpoint's own name,
 * so when one endpoint fails and the queue retries the event, only the endpoints still owed it are
 * called again. Any failure makes `handle` throw, which is the queue's signal to retry with backoff and,
 * in the end, to dead-letter.
 */
export function createWebhookConsumer(deps: WebhookConsumerDeps): EventConsumer {
  const { database, encryption, clock, timeoutMs } = deps;
  const post = deps.fetch ?? fetch;
  const urlPolicy = { allowInsecure: deps.allowInsecure, ...(deps.lookup ? { lookup: deps.lookup } : {}) };

  async function delivered(eventId: string, webhooks: readonly Webhook[]): Promise<Set<string>> {
    const rows = await database.db
      .selectFrom('consumed_events')
      .select('consumer')
      .where('event_id', '=', eventId)
      .where(
        'consumer',
        'in',
        webhooks.map((w) => endpointConsumerName(w.id)),
      )
      .execute();
    return new Set(rows.map((r) => r.consumer));
  }

  async function record(eventId: string, webhookId: string): Promise<void> {
    await database.db
      .insertInto('consumed_events')
      .values({
        consumer: endpointConsumerName(webhookId),
        event_id: eventId,
        consumed_at: clock.now().toISOString(),
      })
      .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
      .execute();
  }

  /** One POST; the failure's description, or undefined once delivered and recorded. */
  async function deliver(
    tenantId: string,
    webhook: Webhook,
    event: QueuedEvent,
    body: string,
  ): Promise<string | undefined> {
    // Checked again at every delivery: the host's DNS answers may have changed since registration.
    const refused = await webhookUrlRefusal(webhook.url, urlPolicy);
    if (refused) return `URL refused: it ${refused}`;
    let secret: string;
    try {
      secret = encryption.decrypt(webhook.secretSealed, webhookSecretAad(tenantId, webhook.id)).toString();
    } catch {
      return 'the signing secret cannot be opened';
    }
    // Signed at each attempt, so a retry carries a fresh timestamp that receivers accept.
    const timestamp = Math.floor(clock.now().getTime() / 1000);
    let status: number;
    try {
      const response = await post(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': USER_AGENT,
          [SIGNATURE_HEADER]: signWebhook(secret, body, timestamp),
          [EVENT_ID_HEADER]: event.id,
          [EVENT_TYPE_HEADER]: event.type,
        },
        body,
        // A redirect is a failure: following it would POST the event to a URL nobody checked.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      // The answer's body is of no interest; release the connection.
      await response.body?.cancel().catch(() => {});
    } catch (error) {
      return failureOf(error, timeoutMs);
    }
    if (status < 200 || status > 299) {
      return status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
    }
    try {
      // Delivered: giving up on the record now would have the queue deliver it again.
      await keepTrying(() => record(event.id, webhook.id), { forMs: RECORD_RETRY_MS });
    } catch {
      return 'delivered, but the delivery could not be recorded';
    }
    return undefined;
  }

  return {
    name: WEBHOOK_CONSUMER,
    types: '*',
    async handle(event) {
      // Platform events (no tenant) have no webhooks; no tenant id that is not a UUID has any either.
      const tenantId = event.tenant_id;
      if (!tenantId || !isUuid(tenantId)) return;
      const webhooks = (
        await database.withTenant(tenantId, (trx) => listActiveWebhooks(trx, tenantId))
      ).filter((webhook) => wants(webhook, event));
      if (webhooks.length === 0) return;
      if (!isUuid(event.id)) throw new Error(`event id ${JSON.stringify(event.id)} is not a UUID`);
      const done = await delivered(event.id, webhooks);
      const owed = webhooks.filter((w) => !done.has(endpointConsumerName(w.id)));
      const body = webhookBody(event);
      const outcomes = await Promise.all(
        owed.map(async (webhook) => ({
          id: webhook.id,
          failure: await deliver(tenantId, webhook, event, body),
        })),
      );
      const failed = outcomes.filter((o) => o.failure !== undefined);
      if (failed.length > 0) {
        const list = failed.map((o) => `${o.id}: ${o.failure}`).join('; ');
        throw new Error(
          `webhook delivery of event ${event.id} failed for ${failed.length} of ${owed.length} endpoint(s): ${list}`,
        );
      }
    },
  };
}
