import { createHash, randomBytes } from 'node:crypto';
import { spendOnce, type Tx, uuidv7 } from '../db/index.ts';
import { AppError } from '../http/index.ts';

export type LinkPurpose = 'verify_email' | 'reset_password' | 'invite';

export interface IssuedLink {
  id: string;
  /** The secret for the email; never stored. */
  token: string;
  expiresAt: string;
}

// Tokens carry 256 random bits, so a fast hash is enough to store them safely (nothing to brute-force).
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * Issues a single-use link for a user; earlier unused links of the same purpose are superseded,
 * so only the newest email works.
 */
export async function issueLink(
  trx: Tx,
  tenantId: string,
  link: { userId: string; purpose: LinkPurpose; email: string; ttlMinutes: number; now: Date },
): Promise<IssuedLink> {
  const nowIso = link.now.toISOString();
  await trx
    .updateTable('user_tokens')
    .set({ superseded_at: nowIso })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', link.userId)
    .where('purpose', '=', link.purpose)
    .where('used_at', 'is', null)
    .where('superseded_at', 'is', null)
    .execute();
  const token = randomBytes(32).toString('base64url');
  const id = uuidv7(link.now.getTime());
  const expiresAt = new Date(link.now.getTime() + link.ttlMinutes * 60_000).toISOString();
  await trx
    .insertInto('user_tokens')
    .values({
      tenant_id: tenantId,
      id,
      user_id: link.userId,
      purpose: link.purpose,
      token_hash: hashToken(token),
      email: link.email,
      created_at: nowIso,
      expires_at: expiresAt,
      used_at: null,
      superseded_at: null,
    })
    .execute();
  return { id, token, expiresAt };
}

export interface ConsumedLink {
  id: string;
  userId: string;
  email: string;
}

/** The live link for a token, or the problem that says why it is refused (unknown, used, superseded, expired). */
export async function peekLink(
  trx: Tx,
  tenantId: string,
  purpose: LinkPurpose,
  token: string,
  now: Date,
): Promise<ConsumedLink> {
  const row = await trx
    .selectFrom('user_tokens')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row || row.purpose !== purpose) throw new AppError('IAM_ERR_LINK_INVALID', 'The link is not valid.');
  if (row.used_at) throw new AppError('IAM_ERR_LINK_USED', 'The link was already used.');
  if (row.superseded_at) throw new AppError('IAM_ERR_LINK_SUPERSEDED', 'A newer link replaced this one.');
  if (row.expires_at <= now.toISOString())
    throw new AppError('IAM_ERR_LINK_EXPIRED', 'The link has expired.');
  return { id: row.id, userId: row.user_id, email: row.email };
}

/** Marks a live link used; refuses it as `peekLink` does. */
export async function consumeLink(
  trx: Tx,
  tenantId: string,
  purpose: LinkPurpose,
  token: string,
  now: Date,
): Promise<ConsumedLink> {
  const link = await peekLink(trx, tenantId, purpose, token, now);
  if (!(await spendOnce(trx, 'user_tokens', { tenant_id: tenantId, id: link.id }, now.toISOString())))
    throw new AppError('IAM_ERR_LINK_USED', 'The link was already used.');
  return link;
}
