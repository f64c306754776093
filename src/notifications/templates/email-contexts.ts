import type { EmailEventType } from '../email-events.ts';

// What each email needs to say, typed per email, so a template cannot reach for a value its
// event does not carry. Values are plain text; the layout escapes them for HTML.

export interface BaseContext {
  tenantName: string;
  recipientName: string | undefined;
  /** The address the mail goes to. */
  recipientEmail: string;
  signInUrl: string;
}

export interface LinkContext extends BaseContext {
  linkUrl: string;
  expiresAt: Date;
}

export interface EmailContexts {
  'user.invited': LinkContext;
  'user.email_verification_requested': LinkContext;
  'user.password_reset_requested': LinkContext;
  'user.registration_existing_email': BaseContext;
  'user.email_changed': BaseContext & { newEmail: string };
  'user.password_changed': BaseContext & { reason: string | undefined };
  'mfa.enrolled': BaseContext & { replaced: boolean };
  'mfa.disabled': BaseContext;
  'mfa.reset_by_admin': BaseContext;
  'mfa.recovery_code_used': BaseContext & { remaining: number | undefined };
  'user.password_expiry_reminder_due': BaseContext & { expiresAt: Date };
}

/** An email before layout: the template decides the words, the layout decides the markup. */
export interface EmailContent {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Paragraphs after the action: expiry, "if this wasn't you". */
  after?: string[];
}

export interface Formatters {
  /** A moment in the recipient's language and time zone. */
  date(value: Date): string;
}

export type EmailTemplate<K extends EmailEventType> = (
  context: EmailContexts[K],
  format: Formatters,
) => EmailContent;

export type EmailTemplates = { [K in EmailEventType]: EmailTemplate<K> };

/** One language. English has every template; another language may leave some out (English is used). */
export interface Translation {
  greeting(name: string | undefined): string;
  signOff(tenantName: string): string;
  /** Shown above the bare link, for mail clients that do not follow the button. */
  linkFallback: string;
  templates: Partial<EmailTemplates>;
}
