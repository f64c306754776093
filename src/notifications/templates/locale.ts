/** `de`, `de-AT`, `de_at` → `de`: translations are per language, not per region. */
export function primaryLanguage(locale: string | null | undefined): string | undefined {
  const language = locale?.trim().toLowerCase().split(/[-_]/)[0];
  return language || undefined;
}

/** A moment in the reader's language and time zone, naming the zone so nobody guesses. */
export function dateFormatter(lang: string, timeZone: string | null | undefined): (value: Date) => string {
  const options: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  };
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat(lang, { ...options, timeZone: timeZone || 'UTC' });
  } catch {
    // A profile's zoneinfo the runtime does not know: UTC, rather than no email at all.
    format = new Intl.DateTimeFormat(lang, { ...options, timeZone: 'UTC' });
  }
  return (value) => format.format(value);
}
