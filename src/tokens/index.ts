export { type AccessTokens, createAccessTokens, type IssueRequest } from './access-tokens.ts';
export { discoveryRoutes } from './discovery-routes.ts';
export { createKeyEncryption, type KeyEncryption, loadKeyEncryptionKey } from './key-encryption.ts';
export { createSigningKeyStore, type SigningKeyStore } from './signing-keys.ts';
