import type { EventConsumer, QueuedEvent } from '../events/queue/queue-port.ts';
import type { KeyEncryption } from '../tokens/index.ts';
import { COMPOSERS } from './email-composers.ts';
import { EMAIL_EVENT_TYPES, isEmailEventType } from './email-events.ts';
import { tenantLinks } from './email-links.ts';
import type { Mailer, MailLog } from './mailer.ts';
import { payloadReader } from './payload-reader.ts';

export { EMAIL_EVENT_TYPES } from './email-events.ts';

export interface TenantSender {
  slug: string;
  displayName: string;
  /** The tenant's sender name setting; the display name when empty. */
  senderName?: string | null | undefined;
}

export interface Recipient {
  email: string;
  name?: string | null | undefined;
  /** Profile `locale` (BCP 47): picks the language. */
  locale?: string | null | undefined;
  /** Profile `zoneinfo` (IANA): the time zone of dates in the mail. */
  zoneinfo?: string | null | undefined;
}

export interface NotificationDeps {
  mailer: Mailer;
  /** Opens the sealed link tokens of link events. */
  encryption: KeyEncryption;
  /** `publicUrl(config)`: links in emails start here. */
  baseUrl: string;
  /** MAIL_FROM. */
  fromAddress: string;
  /** undefined when the tenant no longer exists (or should not be mailed for). */
  lookupTenant(tenantId: string): Promise<TenantSender | undefined>;
  /** undefined when the user no longer exists. */
  lookupRecipient(tenantId: string, userId: string): Promise<Recipient | undefined>;
  log?: Pick<MailLog, 'debug'>;
}

/** The `notifications` consumer: one email per email event, to the address the event names. */
export function createNotificationConsumer(deps: NotificationDeps): EventConsumer {
  return {
    name: 'notifications',
    types: EMAIL_EVENT_TYPES,
    async handle(event: QueuedEvent) {
      if (!isEmailEventType(event.type)) {
        throw new Error(
          `event ${event.id} (${event.type}): the notifications consumer sends no email for it`,
        );
      }
      const read = payloadReader(event);
      const tenantId = event.tenant_id ?? read.string('tenant_id');
      const userId = read.string('user_id');
      // A change of address is reported to the old one: whoever lost the account must hear of it.
      const to = read.string(event.type === 'user.email_changed' ? 'old_email' : 'email');
      const compose = COMPOSERS[event.type]({ read, tenantId, encryption: deps.encryption });

      const skip = (why: string) =>
        deps.log?.debug(
          { event_id: event.id, event_type: event.type, tenant_id: tenantId, user_id: userId },
          `notification skipped: ${why}`,
        );
      const tenant = await deps.lookupTenant(tenantId);
      if (!tenant) return skip('the tenant no longer exists');
      const recipient = await deps.lookupRecipient(tenantId, userId);
      if (!recipient) return skip('the user no longer exists');

      const links = tenantLinks(deps.baseUrl, tenant.slug);
      const recipientName = recipient.name || undefined;
      const email = compose(
        { tenantName: tenant.displayName, recipientName, recipientEmail: to, signInUrl: links.signIn() },
        links,
        { locale: recipient.locale, timeZone: recipient.zoneinfo },
      );
      await deps.mailer.send({
        to: recipientName ? { name: recipientName, address: to } : { address: to },
        from: { name: tenant.senderName || tenant.displayName, address: deps.fromAddress },
        subject: email.subject,
        text: email.text,
        html: email.html,
        headers: { 'X-Gatehouse-Event-Id': event.id },
      });
    },
  };
}
