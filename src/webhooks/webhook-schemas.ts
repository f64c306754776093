import { type Static, Type } from 'typebox';
import { EVENT_CATALOGUE } from '../events/index.ts';
import { PageQuery, pageSchema } from '../http/index.ts';
import { MAX_WEBHOOK_URL_LENGTH } from './webhook-url.ts';

/** `*` subscribes to every event type, including those added by later releases. */
export const ALL_EVENTS = '*';

const EVENT_TYPES = [...Object.keys(EVENT_CATALOGUE), ALL_EVENTS];

const WebhookUrl = Type.String({
  minLength: 1,
  maxLength: MAX_WEBHOOK_URL_LENGTH,
  description:
    'Where deliveries are POSTed: https only, no credentials or fragment, and a host that is (and resolves ' +
    'to) public addresses only.',
});

const EventTypes = Type.Array(Type.Enum(EVENT_TYPES), {
  minItems: 1,
  maxItems: EVENT_TYPES.length,
  uniqueItems: true,
  description: 'Event types delivered to this endpoint (see docs/events.md), or `*` for all of them.',
});

const Status = Type.Enum(['active', 'disabled'] as const, {
  description: 'A disabled endpoint keeps its settings but receives nothing.',
});
const Timestamp = Type.String({ format: 'date-time' });

export const WebhookView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  url: Type.String(),
  event_types: Type.Array(Type.String()),
  status: Status,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type WebhookView = Static<typeof WebhookView>;

/** An endpoint with its signing secret: answered once, at creation and at rotation. */
export const WebhookWithSecret = Type.Intersect([
  WebhookView,
  Type.Object({
    secret: Type.String({
      description: 'Signing secret (`whsec_…`). Shown in this response only; store it now.',
    }),
  }),
]);
export type WebhookWithSecret = Static<typeof WebhookWithSecret>;

export const WebhookPage = pageSchema(WebhookView);

export const CreateWebhookBody = Type.Object(
  { url: WebhookUrl, event_types: EventTypes },
  {
    additionalProperties: false,
    examples: [{ url: 'https://hooks.example.com/gatehouse', event_types: ['user.created', 'user.deleted'] }],
  },
);
export type CreateWebhookBody = Static<typeof CreateWebhookBody>;

export const UpdateWebhookBody = Type.Object(
  {
    url: Type.Optional(WebhookUrl),
    event_types: Type.Optional(EventTypes),
    status: Type.Optional(Status),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateWebhookBody = Static<typeof UpdateWebhookBody>;

// Ids in paths are plain strings on purpose: a malformed id is answered 404, like an unknown one.
export const WebhookParams = Type.Object({ tenant: Type.String(), id: Type.String({ maxLength: 64 }) });

export const ListWebhooksQuery = Type.Object(PageQuery, { additionalProperties: false });
export type ListWebhooksQuery = Static<typeof ListWebhooksQuery>;
