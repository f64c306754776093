export {
  createWebhookConsumer,
  endpointConsumerName,
  WEBHOOK_CONSUMER,
  type WebhookConsumerDeps,
  webhookBody,
} from './webhook-consumer.ts';
export type { Webhook } from './webhook-repository.ts';
export { webhookRoutes, webhookView } from './webhook-routes.ts';
export {
  createWebhookService,
  type WebhookService,
  type WebhookServiceDeps,
  type WebhookWithSecret,
} from './webhook-service.ts';
export {
  DEFAULT_TOLERANCE_SECONDS,
  EVENT_ID_HEADER,
  EVENT_TYPE_HEADER,
  generateWebhookSecret,
  SIGNATURE_HEADER,
  signWebhook,
  verifyWebhookSignature,
  webhookSecretAad,
} from './webhook-signature.ts';
export {
  type AddressLookup,
  addressRefusal,
  assertWebhookUrl,
  MAX_WEBHOOK_URL_LENGTH,
  parseWebhookUrl,
  type ResolvedAddress,
  type WebhookUrlPolicy,
  webhookUrlRefusal,
} from './webhook-url.ts';
