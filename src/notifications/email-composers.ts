import type { KeyEncryption } from '../tokens/index.ts';
import { linkAad } from '../users/index.ts';
import type { EmailEventType } from './email-events.ts';
import type { TenantLinks } from './email-links.ts';
import type { PayloadReader } from './payload-reader.ts';
import type { BaseContext } from './templates/email-contexts.ts';
import type { RenderedEmail } from './templates/email-layout.ts';
import { type RenderOptions, renderEmail } from './templates/render-email.ts';

export interface ComposeInput {
  read: PayloadReader;
  tenantId: string;
  encryption: KeyEncryption;
}

/** Renders the email once the tenant and recipient are known. */
export type Compose = (base: BaseContext, links: TenantLinks, options: RenderOptions) => RenderedEmail;

/**
 * Per email event: read and check the payload first (before any lookup, so a malformed event is
 * refused whatever state the tenant is in), then return how to render it.
 */
export const COMPOSERS: Readonly<Record<EmailEventType, (input: ComposeInput) => Compose>> = {
  'user.invited': (input) => {
    const link = unsealLink(input);
    return (base, links, options) =>
      renderEmail(
        'user.invited',
        { ...base, linkUrl: links.acceptInvitation(link.token), expiresAt: link.expiresAt },
        options,
      );
  },
  'user.email_verification_requested': (input) => {
    const link = unsealLink(input);
    return (base, links, options) =>
      renderEmail(
        'user.email_verification_requested',
        { ...base, linkUrl: links.verifyEmail(link.token), expiresAt: link.expiresAt },
        options,
      );
  },
  'user.password_reset_requested': (input) => {
    const link = unsealLink(input);
    return (base, links, options) =>
      renderEmail(
        'user.password_reset_requested',
        { ...base, linkUrl: links.resetPassword(link.token), expiresAt: link.expiresAt },
        options,
      );
  },
  'user.registration_existing_email': () => (base, _links, options) =>
    renderEmail('user.registration_existing_email', base, options),
  'user.email_changed': ({ read }) => {
    const newEmail = read.string('email');
    return (base, _links, options) => renderEmail('user.email_changed', { ...base, newEmail }, options);
  },
  'user.password_changed': ({ read }) => {
    const reason = read.optionalString('reason');
    return (base, _links, options) => renderEmail('user.password_changed', { ...base, reason }, options);
  },
  'mfa.enrolled': ({ read }) => {
    const replaced = read.optionalBoolean('replaced') ?? false;
    return (base, _links, options) => renderEmail('mfa.enrolled', { ...base, replaced }, options);
  },
  'mfa.disabled': () => (base, _links, options) => renderEmail('mfa.disabled', base, options),
  'mfa.reset_by_admin': () => (base, _links, options) => renderEmail('mfa.reset_by_admin', base, options),
  'mfa.recovery_code_used': ({ read }) => {
    const remaining = read.optionalNumber('remaining');
    return (base, _links, options) => renderEmail('mfa.recovery_code_used', { ...base, remaining }, options);
  },
  'user.password_expiry_reminder_due': ({ read }) => {
    const expiresAt = read.date('expires_at');
    return (base, _links, options) =>
      renderEmail('user.password_expiry_reminder_due', { ...base, expiresAt }, options);
  },
};

/** The link token, opened with the key it was sealed with and bound to this tenant and link. */
function unsealLink({ read, tenantId, encryption }: ComposeInput): { token: string; expiresAt: Date } {
  const linkId = read.string('link_id');
  const sealed = read.string('link_token_sealed');
  const expiresAt = read.date('expires_at');
  let token: string;
  try {
    token = encryption.decrypt(sealed, linkAad(tenantId, linkId)).toString();
  } catch {
    throw new Error(`${read.where}: the link token cannot be unsealed (altered payload or another key)`);
  }
  return { token, expiresAt };
}
