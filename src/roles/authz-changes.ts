import type { Tx } from '../db/index.ts';
import { appendEvent, type NewEvent, recordInvalidation } from '../events/index.ts';

/** Everyone in the tenant: a role or a policy changed, or a group whose members may be many. */
export const EVERYONE = '*';

// Long enough for every process to have read the entry from the invalidation feed, even one that
// was paused or partitioned for a while; after that the entry is history.
const AUTHZ_INVALIDATION_TTL_MS = 86_400_000;

/**
 * Commits an authorization change's event and its `authz` invalidation in the caller's transaction
 * (outbox), so every process drops the cached decisions it affects exactly when the change commits:
 * `subject` is the one user affected, or `*` when many may be.
 */
export async function recordAuthzChange(
  trx: Tx,
  event: NewEvent & { tenantId: string },
  subject: string,
  now: Date,
): Promise<void> {
  await appendEvent(trx, event, now);
  await recordInvalidation(
    trx,
    {
      tenantId: event.tenantId,
      kind: 'authz',
      subject,
      notBefore: null,
      expiresAt: new Date(now.getTime() + AUTHZ_INVALIDATION_TTL_MS).toISOString(),
    },
    now,
  );
}
