import type { EmailEventType } from '../email-events.ts';
import { de } from './de.ts';
import type { EmailContexts, EmailTemplate, Translation } from './email-contexts.ts';
import { layoutEmail, type RenderedEmail } from './email-layout.ts';
import { en } from './en.ts';
import { dateFormatter, primaryLanguage } from './locale.ts';

// Adding a language: a file like de.ts and one line here.
const TRANSLATIONS: Readonly<Record<string, Translation>> = { en, de };

export interface RenderOptions {
  /** The recipient's profile `locale` (BCP 47); missing or untranslated means English. */
  locale: string | null | undefined;
  /** The recipient's profile `zoneinfo` (IANA); missing means UTC. */
  timeZone?: string | null | undefined;
}

export function renderEmail<K extends EmailEventType>(
  type: K,
  context: EmailContexts[K],
  options: RenderOptions,
): RenderedEmail & { lang: string } {
  const wanted = primaryLanguage(options.locale);
  const translation = wanted ? TRANSLATIONS[wanted] : undefined;
  const translated = translation?.templates[type] as EmailTemplate<K> | undefined;
  // A missing template falls back as a whole, so one email never mixes two languages.
  const [lang, chrome, template] =
    translation && translated && wanted
      ? [wanted, translation, translated]
      : ['en', en, en.templates[type] as EmailTemplate<K>];
  const content = template(context, { date: dateFormatter(lang, options.timeZone) });
  return {
    lang,
    ...layoutEmail(content, chrome, lang, { recipient: context.recipientName, tenant: context.tenantName }),
  };
}
