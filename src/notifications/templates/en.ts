import type { EmailTemplates, Translation } from './email-contexts.ts';

const notYou = 'If this was not you, contact your administrator right away.';

const templates: EmailTemplates = {
  'user.invited': (c, f) => ({
    subject: `You are invited to ${c.tenantName}`,
    paragraphs: [`An account was created for you at ${c.tenantName}. Choose a password to start using it.`],
    action: { label: 'Set your password', url: c.linkUrl },
    after: [
      `This link works once and expires on ${f.date(c.expiresAt)}.`,
      'If you did not expect this invitation, you can ignore this email.',
    ],
  }),
  'user.email_verification_requested': (c, f) => ({
    subject: `Confirm your email address for ${c.tenantName}`,
    paragraphs: [`Please confirm that ${c.recipientEmail} is your email address at ${c.tenantName}.`],
    action: { label: 'Confirm email address', url: c.linkUrl },
    after: [
      `This link expires on ${f.date(c.expiresAt)}.`,
      'If you did not ask for this, you can ignore this email.',
    ],
  }),
  'user.password_reset_requested': (c, f) => ({
    subject: `Reset your ${c.tenantName} password`,
    paragraphs: [
      `Someone asked to reset the password of your account ${c.recipientEmail} at ${c.tenantName}.`,
    ],
    action: { label: 'Choose a new password', url: c.linkUrl },
    after: [
      `This link works once and expires on ${f.date(c.expiresAt)}.`,
      'If you did not ask for this, ignore this email: your password stays as it is.',
    ],
  }),
  'user.registration_existing_email': (c) => ({
    subject: `Someone tried to register at ${c.tenantName} with your address`,
    paragraphs: [
      `Someone tried to create an account at ${c.tenantName} with ${c.recipientEmail}. You already have an account there, so no new one was created.`,
    ],
    action: { label: 'Sign in', url: c.signInUrl },
    after: [
      'Forgot your password? Use "Forgot password" on the sign-in page.',
      'If this was not you, you can ignore this email.',
    ],
  }),
  'user.email_changed': (c) => ({
    subject: `Your ${c.tenantName} email address was changed`,
    paragraphs: [
      `The email address of your account at ${c.tenantName} was changed from ${c.recipientEmail} to ${c.newEmail}. Emails now go to the new address.`,
    ],
    after: [notYou],
  }),
  'user.password_changed': (c) => ({
    subject: `Your ${c.tenantName} password was changed`,
    paragraphs: [
      c.reason === 'reset'
        ? `The password of your account ${c.recipientEmail} at ${c.tenantName} was reset with an emailed link.`
        : c.reason === 'invitation'
          ? `You set the password of your new account ${c.recipientEmail} at ${c.tenantName}.`
          : `The password of your account ${c.recipientEmail} at ${c.tenantName} was changed.`,
      'Your other devices were signed out.',
    ],
    action: { label: 'Sign in', url: c.signInUrl },
    after: ['If this was not you, reset your password from the sign-in page and contact your administrator.'],
  }),
  'mfa.enrolled': (c) => ({
    subject: c.replaced
      ? `New authenticator app for your ${c.tenantName} account`
      : `Two-step verification is on for your ${c.tenantName} account`,
    paragraphs: [
      c.replaced
        ? `A new authenticator app was set up for your account ${c.recipientEmail}; the previous one no longer works.`
        : `Signing in to your account ${c.recipientEmail} now asks for a code from your authenticator app.`,
    ],
    after: [notYou],
  }),
  'mfa.disabled': (c) => ({
    subject: `Two-step verification was turned off for your ${c.tenantName} account`,
    paragraphs: [
      `Signing in to your account ${c.recipientEmail} no longer asks for a code from your authenticator app.`,
    ],
    action: { label: 'Sign in', url: c.signInUrl },
    after: ['If this was not you, sign in, change your password and turn two-step verification on again.'],
  }),
  'mfa.reset_by_admin': (c) => ({
    subject: `An administrator reset your ${c.tenantName} two-step verification`,
    paragraphs: [
      `An administrator of ${c.tenantName} removed the authenticator app and recovery codes of your account ${c.recipientEmail}.`,
      'You can set up two-step verification again after signing in.',
    ],
    action: { label: 'Sign in', url: c.signInUrl },
    after: ['If you did not ask for this, contact your administrator.'],
  }),
  'mfa.recovery_code_used': (c) => ({
    subject: `A recovery code was used to sign in to ${c.tenantName}`,
    paragraphs: [
      `A recovery code was just used to sign in to your account ${c.recipientEmail}.`,
      ...(c.remaining === undefined
        ? []
        : c.remaining === 0
          ? ['You have no recovery codes left; create new ones after signing in.']
          : [`You have ${c.remaining} recovery ${c.remaining === 1 ? 'code' : 'codes'} left.`]),
    ],
    after: ['If this was not you, change your password and contact your administrator.'],
  }),
  'user.password_expiry_reminder_due': (c, f) => ({
    subject: `Your ${c.tenantName} password expires soon`,
    paragraphs: [
      `The password of your account ${c.recipientEmail} at ${c.tenantName} expires on ${f.date(c.expiresAt)}. Sign in and choose a new one before then.`,
    ],
    action: { label: 'Sign in', url: c.signInUrl },
  }),
};

export const en = {
  greeting: (name) => (name ? `Hello ${name},` : 'Hello,'),
  signOff: (tenantName) => `— ${tenantName}`,
  linkFallback: 'If the button does not work, copy this address into your browser:',
  templates,
} satisfies Translation & { templates: EmailTemplates };
