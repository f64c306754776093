import type { KeyEncryption } from '../tokens/index.ts';
import type { IssuedLink } from './link-tokens.ts';

/**
 * The link members of an email event. The token is sealed to the notifier (AES-256-GCM, bound to the
 * tenant and link id), so the outbox, the queue and their backups never hold a usable link.
 */
export function sealedLink(encryption: KeyEncryption, tenantId: string, link: IssuedLink) {
  return {
    link_id: link.id,
    link_token_sealed: encryption.encrypt(Buffer.from(link.token), linkAad(tenantId, link.id)),
    expires_at: link.expiresAt,
  };
}

export function linkAad(tenantId: string, linkId: string): string {
  return `link:${tenantId}:${linkId}`;
}
