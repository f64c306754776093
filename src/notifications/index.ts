export { type CreateMailerOptions, createMailer } from './create-mailer.ts';
export { EMAIL_EVENT_TYPES, type EmailEventType } from './email-events.ts';
export { type TenantLinks, tenantLinks } from './email-links.ts';
export { createFileMailer, type FileMailerOptions } from './file-mailer.ts';
export type { MailAddress, Mailer, MailLog, MailMessage } from './mailer.ts';
export {
  createNotificationConsumer,
  type NotificationDeps,
  type Recipient,
  type TenantSender,
} from './notification-consumer.ts';
export { createSmtpMailer, parseSmtpUrl, type SmtpMailerOptions } from './smtp-mailer.ts';
export { renderEmail } from './templates/render-email.ts';
