export type { FactorAnswer } from './code-check.ts';
export {
  createMfaLogin,
  MFA_TOKEN_TTL_SECONDS,
  type MfaChallengeResponse,
  type MfaLogin,
} from './mfa-login.ts';
export { hasActiveFactor } from './mfa-repository.ts';
export { mfaRoutes } from './mfa-routes.ts';
export { MfaChallengeView } from './mfa-schemas.ts';
export { createMfaService, type MfaService } from './mfa-service.ts';
