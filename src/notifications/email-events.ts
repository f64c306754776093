import type { EventType } from '../events/index.ts';

/** The events that send an email; the consumer subscribes to exactly these. */
export const EMAIL_EVENT_TYPES = [
  'user.invited',
  'user.email_verification_requested',
  'user.password_reset_requested',
  'user.registration_existing_email',
  'user.email_changed',
  'user.password_changed',
  'mfa.enrolled',
  'mfa.disabled',
  'mfa.reset_by_admin',
  'mfa.recovery_code_used',
  'user.password_expiry_reminder_due',
] as const satisfies readonly EventType[];

export type EmailEventType = (typeof EMAIL_EVENT_TYPES)[number];

export function isEmailEventType(type: string): type is EmailEventType {
  return (EMAIL_EVENT_TYPES as readonly string[]).includes(type);
}
