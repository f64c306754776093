export { clientRoutes } from './client-routes.ts';
export { createSecretHasher, type SecretHasher } from './client-secrets.ts';
export { type ClientRow, type ClientService, createClientService } from './client-service.ts';
