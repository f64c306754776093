import type { EmailTemplates, Translation } from './email-contexts.ts';

const notYou = 'Wenn Sie das nicht waren, wenden Sie sich sofort an Ihre Administration.';

const templates: EmailTemplates = {
  'user.invited': (c, f) => ({
    subject: `Einladung zu ${c.tenantName}`,
    paragraphs: [
      `Für Sie wurde ein Konto bei ${c.tenantName} angelegt. Legen Sie ein Passwort fest, um es zu nutzen.`,
    ],
    action: { label: 'Passwort festlegen', url: c.linkUrl },
    after: [
      `Der Link funktioniert einmal und läuft am ${f.date(c.expiresAt)} ab.`,
      'Wenn Sie diese Einladung nicht erwartet haben, können Sie diese E-Mail ignorieren.',
    ],
  }),
  'user.email_verification_requested': (c, f) => ({
    subject: `Bestätigen Sie Ihre E-Mail-Adresse für ${c.tenantName}`,
    paragraphs: [
      `Bitte bestätigen Sie, dass ${c.recipientEmail} Ihre E-Mail-Adresse bei ${c.tenantName} ist.`,
    ],
    action: { label: 'E-Mail-Adresse bestätigen', url: c.linkUrl },
    after: [
      `Der Link läuft am ${f.date(c.expiresAt)} ab.`,
      'Wenn Sie das nicht angefordert haben, können Sie diese E-Mail ignorieren.',
    ],
  }),
  'user.password_reset_requested': (c, f) => ({
    subject: `Passwort für ${c.tenantName} zurücksetzen`,
    paragraphs: [
      `Jemand hat angefordert, das Passwort Ihres Kontos ${c.recipientEmail} bei ${c.tenantName} zurückzusetzen.`,
    ],
    action: { label: 'Neues Passwort wählen', url: c.linkUrl },
    after: [
      `Der Link funktioniert einmal und läuft am ${f.date(c.expiresAt)} ab.`,
      'Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
    ],
  }),
  'user.registration_existing_email': (c) => ({
    subject: `Registrierungsversuch bei ${c.tenantName} mit Ihrer Adresse`,
    paragraphs: [
      `Jemand hat versucht, bei ${c.tenantName} ein Konto mit ${c.recipientEmail} anzulegen. Sie haben dort bereits ein Konto, daher wurde kein neues angelegt.`,
    ],
    action: { label: 'Anmelden', url: c.signInUrl },
    after: [
      'Passwort vergessen? Nutzen Sie „Passwort vergessen“ auf der Anmeldeseite.',
      'Wenn Sie das nicht waren, können Sie diese E-Mail ignorieren.',
    ],
  }),
  'user.email_changed': (c) => ({
    subject: `Ihre E-Mail-Adresse bei ${c.tenantName} wurde geändert`,
    paragraphs: [
      `Die E-Mail-Adresse Ihres Kontos bei ${c.tenantName} wurde von ${c.recipientEmail} in ${c.newEmail} geändert. E-Mails gehen jetzt an die neue Adresse.`,
    ],
    after: [notYou],
  }),
  'user.password_changed': (c) => ({
    subject: `Ihr Passwort bei ${c.tenantName} wurde geändert`,
    paragraphs: [
      c.reason === 'reset'
        ? `Das Passwort Ihres Kontos ${c.recipientEmail} bei ${c.tenantName} wurde über einen Link per E-Mail zurückgesetzt.`
        : c.reason === 'invitation'
          ? `Sie haben das Passwort Ihres neuen Kontos ${c.recipientEmail} bei ${c.tenantName} festgelegt.`
          : `Das Passwort Ihres Kontos ${c.recipientEmail} bei ${c.tenantName} wurde geändert.`,
      'Ihre anderen Geräte wurden abgemeldet.',
    ],
    action: { label: 'Anmelden', url: c.signInUrl },
    after: [
      'Wenn Sie das nicht waren, setzen Sie Ihr Passwort über die Anmeldeseite zurück und wenden Sie sich an Ihre Administration.',
    ],
  }),
  'mfa.enrolled': (c) => ({
    subject: c.replaced
      ? `Neue Authenticator-App für Ihr Konto bei ${c.tenantName}`
      : `Zwei-Faktor-Anmeldung für Ihr Konto bei ${c.tenantName} ist eingeschaltet`,
    paragraphs: [
      c.replaced
        ? `Für Ihr Konto ${c.recipientEmail} wurde eine neue Authenticator-App eingerichtet; die bisherige funktioniert nicht mehr.`
        : `Die Anmeldung bei Ihrem Konto ${c.recipientEmail} fragt jetzt nach einem Code aus Ihrer Authenticator-App.`,
    ],
    after: [notYou],
  }),
  'mfa.disabled': (c) => ({
    subject: `Zwei-Faktor-Anmeldung für Ihr Konto bei ${c.tenantName} wurde ausgeschaltet`,
    paragraphs: [
      `Die Anmeldung bei Ihrem Konto ${c.recipientEmail} fragt nicht mehr nach einem Code aus Ihrer Authenticator-App.`,
    ],
    action: { label: 'Anmelden', url: c.signInUrl },
    after: [
      'Wenn Sie das nicht waren, melden Sie sich an, ändern Sie Ihr Passwort und schalten Sie die Zwei-Faktor-Anmeldung wieder ein.',
    ],
  }),
  'mfa.reset_by_admin': (c) => ({
    subject: `Ihre Zwei-Faktor-Anmeldung bei ${c.tenantName} wurde zurückgesetzt`,
    paragraphs: [
      `Die Administration von ${c.tenantName} hat die Authenticator-App und die Wiederherstellungscodes Ihres Kontos ${c.recipientEmail} entfernt.`,
      'Nach der Anmeldung können Sie die Zwei-Faktor-Anmeldung wieder einrichten.',
    ],
    action: { label: 'Anmelden', url: c.signInUrl },
    after: ['Wenn Sie das nicht angefragt haben, wenden Sie sich an Ihre Administration.'],
  }),
  'mfa.recovery_code_used': (c) => ({
    subject: `Anmeldung bei ${c.tenantName} mit einem Wiederherstellungscode`,
    paragraphs: [
      `Gerade wurde ein Wiederherstellungscode verwendet, um sich bei Ihrem Konto ${c.recipientEmail} anzumelden.`,
      ...(c.remaining === undefined
        ? []
        : c.remaining === 0
          ? ['Sie haben keine Wiederherstellungscodes mehr; erstellen Sie nach der Anmeldung neue.']
          : c.remaining === 1
            ? ['Sie haben noch einen Wiederherstellungscode.']
            : [`Sie haben noch ${c.remaining} Wiederherstellungscodes.`]),
    ],
    after: ['Wenn Sie das nicht waren, ändern Sie Ihr Passwort und wenden Sie sich an Ihre Administration.'],
  }),
  'user.password_expiry_reminder_due': (c, f) => ({
    subject: `Ihr Passwort bei ${c.tenantName} läuft bald ab`,
    paragraphs: [
      `Das Passwort Ihres Kontos ${c.recipientEmail} bei ${c.tenantName} läuft am ${f.date(c.expiresAt)} ab. Melden Sie sich an und wählen Sie vorher ein neues.`,
    ],
    action: { label: 'Anmelden', url: c.signInUrl },
  }),
};

export const de = {
  greeting: (name) => (name ? `Hallo ${name},` : 'Hallo,'),
  signOff: (tenantName) => `— ${tenantName}`,
  linkFallback: 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:',
  templates,
} satisfies Translation;
