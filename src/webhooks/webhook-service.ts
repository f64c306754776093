import type { Clock } from '../clock.ts';
import { canonicalId, type Database, type Tx, uuidv7 } from '../db/index.ts';
import { appendEvent } from '../events/index.ts';
import { AppError, type CursorKey } from '../http/index.ts';
import type { KeyEncryption } from '../tokens/index.ts';
import {
  deleteWebhook,
  findWebhook,
  insertWebhook,
  listWebhooks,
  updateWebhook,
  type Webhook,
} from './webhook-repository.ts';
import type { CreateWebhookBody, UpdateWebhookBody } from './webhook-schemas.ts';
import { generateWebhookSecret, webhookSecretAad } from './webhook-signature.ts';
import { type AddressLookup, assertWebhookUrl } from './webhook-url.ts';

type WebhookEvent = 'webhook.created' | 'webhook.updated' | 'webhook.deleted' | 'webhook.secret_rotated';

/** An endpoint with its secret in clear: only ever returned by `create` and `rotateSecret`. */
export type WebhookWithSecret = Webhook & { secret: string };

export interface WebhookService {
  create(tenantId: string, input: CreateWebhookBody, actorId: string): Promise<WebhookWithSecret>;
  list(tenantId: string, options: { limit: number; after?: CursorKey | undefined }): Promise<Webhook[]>;
  get(tenantId: string, id: string): Promise<Webhook>;
  /** Changes url, event types and status; a change to none of them writes nothing. */
  update(tenantId: string, id: string, changes: UpdateWebhookBody, actorId: string): Promise<Webhook>;
  remove(tenantId: string, id: string, actorId: string): Promise<void>;
  /** Replaces the signing secret at once; deliveries from then on are signed with the new one. */
  rotateSecret(tenantId: string, id: string, actorId: string): Promise<WebhookWithSecret>;
}

export interface WebhookServiceDeps {
  database: Database;
  clock: Clock;
  encryption: KeyEncryption;
  /** WEBHOOK_ALLOW_INSECURE. */
  allowInsecure: boolean;
  /** DNS for the URL check; the system resolver by default. */
  lookup?: AddressLookup;
}

// Unknown, malformed and other tenants' ids all get the same answer, so ids cannot be probed.
export const webhookNotFound = () => new AppError('IAM_ERR_WEBHOOK_NOT_FOUND', 'No such webhook.');

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);

export function createWebhookService(deps: WebhookServiceDeps): WebhookService {
  const { database, clock, encryption } = deps;
  const forUpdate = database.dialect === 'postgres';
  const urlPolicy = { allowInsecure: deps.allowInsecure, ...(deps.lookup ? { lookup: deps.lookup } : {}) };
  const seal = (tenantId: string, id: string, secret: string) =>
    encryption.encrypt(Buffer.from(secret, 'utf8'), webhookSecretAad(tenantId, id));

  /** The change's audit event, in its transaction. */
  async function record(trx: Tx, type: WebhookEvent, tenantId: string, webhook: Webhook, actorId: string) {
    const payload = {
      tenant_id: tenantId,
      webhook_id: webhook.id,
      host: new URL(webhook.url).host,
      event_types: webhook.eventTypes,
      status: webhook.status,
      actor_id: actorId,
    };
    await appendEvent(trx, { type, tenantId, payload }, clock.now());
  }

  return {
    async create(tenantId, input, actorId) {
      // Resolved before the transaction opens: DNS may take seconds, a transaction should not.
      const url = await assertWebhookUrl(input.url, urlPolicy);
      const now = clock.now();
      const id = uuidv7(now.getTime());
      const secret = generateWebhookSecret();
      const webhook: Webhook = {
        id,
        url,
        eventTypes: [...input.event_types],
        secretSealed: seal(tenantId, id, secret),
        status: 'active',
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      };
      await database.withTenant(tenantId, async (trx) => {
        await insertWebhook(trx, tenantId, webhook);
        await record(trx, 'webhook.created', tenantId, webhook, actorId);
      });
      return { ...webhook, secret };
    },

    list: (tenantId, options) => database.withTenant(tenantId, (trx) => listWebhooks(trx, tenantId, options)),

    async get(tenantId, rawId) {
      const id = canonicalId(rawId);
      const webhook = id && (await database.withTenant(tenantId, (trx) => findWebhook(trx, tenantId, id)));
      if (!webhook) throw webhookNotFound();
      return webhook;
    },

    async update(tenantId, rawId, changes, actorId) {
      const id = canonicalId(rawId);
      if (!id) throw webhookNotFound();
      const url = changes.url === undefined ? undefined : await assertWebhookUrl(changes.url, urlPolicy);
      const now = clock.now();
      return database.withTenant(tenantId, async (trx) => {
        const current = await findWebhook(trx, tenantId, id, { forUpdate });
        if (!current) throw webhookNotFound();
        const next: Webhook = {
          ...current,
          url: url ?? current.url,
          eventTypes: changes.event_types ? [...changes.event_types] : current.eventTypes,
          status: changes.status ?? current.status,
        };
        if (
          next.url === current.url &&
          next.status === current.status &&
          sameList(next.eventTypes, current.eventTypes)
        ) {
          return current;
        }
        next.updatedAt = now.toISOString();
        await updateWebhook(trx, tenantId, next);
        await record(trx, 'webhook.updated', tenantId, next, actorId);
        return next;
      });
    },

    async remove(tenantId, rawId, actorId) {
      const id = canonicalId(rawId);
      if (!id) throw webhookNotFound();
      await database.withTenant(tenantId, async (trx) => {
        const current = await findWebhook(trx, tenantId, id, { forUpdate });
        if (!current || !(await deleteWebhook(trx, tenantId, id))) throw webhookNotFound();
        await record(trx, 'webhook.deleted', tenantId, current, actorId);
      });
    },

    async rotateSecret(tenantId, rawId, actorId) {
      const id = canonicalId(rawId);
      if (!id) throw webhookNotFound();
      const secret = generateWebhookSecret();
      const now = clock.now();
      const rotated = await database.withTenant(tenantId, async (trx) => {
        const current = await findWebhook(trx, tenantId, id, { forUpdate });
        if (!current) throw webhookNotFound();
        const next = { ...current, secretSealed: seal(tenantId, id, secret), updatedAt: now.toISOString() };
        await updateWebhook(trx, tenantId, next);
        await record(trx, 'webhook.secret_rotated', tenantId, next, actorId);
        return next;
      });
      return { ...rotated, secret };
    },
  };
}
