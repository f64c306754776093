import type { InvalidationFeed } from '../events/index.ts';
import type { Principal } from '../http/index.ts';

export interface RevocationSet {
  /** True when the token was revoked: its session, its `jti`, or every token of its user issued before a cut-off. */
  isRevoked(
    principal: Pick<Principal, 'tenantId' | 'subject' | 'sessionId' | 'tokenId' | 'issuedAt'>,
  ): boolean;
}

/**
 * In-memory revocation state, fed by the invalidation feed (so by every process's commits), and
 * consulted on every request without touching the database. Entries drop out once nothing they
 * could affect is still valid.
 */
export function createRevocationSet(feed: InvalidationFeed, now: () => number = Date.now): RevocationSet {
  const sessions = new Map<string, number>();
  const tokens = new Map<string, number>();
  // `${tenant}/${user}` → [cut-off (ms), expiry (ms)]
  const users = new Map<string, [number, number]>();
  let nextSweep = 0;

  feed.subscribe((inv) => {
    const expires = Date.parse(inv.expiresAt);
    if (inv.kind === 'session') sessions.set(`${inv.tenantId}/${inv.subject}`, expires);
    else if (inv.kind === 'token') tokens.set(`${inv.tenantId}/${inv.subject}`, expires);
    else if (inv.kind === 'user' && inv.notBefore) {
      const key = `${inv.tenantId}/${inv.subject}`;
      const cutoff = Date.parse(inv.notBefore);
      const current = users.get(key);
      if (!current || current[0] < cutoff) users.set(key, [cutoff, expires]);
    }
  });

  function sweep(at: number): void {
    for (const map of [sessions, tokens])
      for (const [key, expires] of map) if (expires <= at) map.delete(key);
    for (const [key, [, expires]] of users) if (expires <= at) users.delete(key);
  }

  return {
    isRevoked(p) {
      const at = now();
      if (at >= nextSweep) {
        sweep(at);
        nextSweep = at + 60_000;
      }
      if (p.sessionId && sessions.has(`${p.tenantId}/${p.sessionId}`)) return true;
      if (tokens.has(`${p.tenantId}/${p.tokenId}`)) return true;
      const cut = users.get(`${p.tenantId}/${p.subject}`);
      // iat has one-second resolution: a token issued in the cut-off's second is refused too.
      return cut !== undefined && p.issuedAt * 1000 <= cut[0];
    },
  };
}
