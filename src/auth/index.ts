export {
  authorize,
  registerAccessControl,
  unauthenticated,
  verifyBearer,
} from './access-control.ts';
export { authRoutes } from './auth-routes.ts';
export { type BrowserSession, registerBrowserSession } from './browser-session.ts';
export { type EscalationCheck, registerEscalationGuard } from './escalation-guard.ts';
export { createLoginGuards, type LoginGuards } from './login-guards.ts';
export type { LoginDeps } from './login-steps.ts';
export { oauthTokenRoutes } from './oauth-routes.ts';
export { tokenManagementRoutes } from './oauth-token-routes.ts';
export { CookieTokenResponse, deliverTokens, RefreshTokenDelivery } from './token-delivery.ts';
