export { type AccessTokens, createAccessTokens, type IssueRequest } from './access-tokens.ts';
export { discoveryRoutes } from './discovery-routes.ts';
export { createKeyEncryption, type KeyEncryption, loadKeyEncryptionKey } from './key-encryption.ts';
export { createRevocationSet, type RevocationSet } from './revocation-set.ts';
export { setSessionRestriction } from './session-repository.ts';
export { sessionRoutes } from './session-routes.ts';
export {
  type ClientInfo,
  createSessionService,
  type SessionService,
  type TokenResponse,
} from './session-service.ts';
export { signingKeyRoutes } from './signing-key-routes.ts';
export { createSigningKeyStore, type SigningKeyStore } from './signing-keys.ts';
export { TokenResponseSchema } from './token-schemas.ts';
