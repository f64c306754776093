// Form bodies arrive as @fastify/formbody parses them: strings, or arrays for repeated names.

export type FormBody = Record<string, unknown> | undefined | null;

/** One field's value; a missing, repeated or oversized field reads as empty, which every form refuses. */
export function field(body: FormBody, name: string, maxLength = 1024): string {
  const value = body?.[name];
  if (typeof value !== 'string' || value.length > maxLength) return '';
  return value;
}

/** A query parameter, read the same way. */
export function queryParam(query: unknown, name: string, maxLength = 2048): string {
  return field(query as FormBody, name, maxLength);
}

/** Good enough to refuse typos before the service sees them; the service normalises the address. */
export function looksLikeEmail(value: string): boolean {
  return value.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(value);
}
