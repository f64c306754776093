export {
  type Altcha,
  type AltchaChallenge,
  type AltchaFailure,
  type AltchaOptions,
  type AltchaResult,
  altchaHmacKey,
  createAltcha,
  createMemoryUsedCaptchaStore,
  type MemoryUsedCaptchaStoreOptions,
  type UsedCaptchaStore,
} from './altcha.ts';
export {
  type BlockedCount,
  type BlockReason,
  type BotFilter,
  type BotFilterContext,
  type BotFilterLog,
  type BotFilterOptions,
  type BotFilterSettings,
  createBotFilter,
  MAX_USER_AGENT_MATCHED,
  validPattern,
} from './bot-filter.ts';
export { registerBotFilter } from './bot-filter-hook.ts';
export {
  CAPTCHA_FIELD,
  type CaptchaContext,
  type CaptchaLog,
  type CaptchaSettings,
  type CaptchaVerifier,
  type CaptchaVerifierOptions,
  captchaRequiredDetail,
  createCaptchaVerifier,
} from './captcha.ts';
export {
  type CaptchaProvider,
  createProviderVerifier,
  PROVIDER_VERIFY_URLS,
  type ProviderFailure,
  type ProviderRequest,
  type ProviderResult,
  type ProviderVerifier,
} from './captcha-providers.ts';
export { captchaRoutes } from './captcha-routes.ts';
export { parseOrigins, registerCors } from './cors.ts';
export type { CounterState, CounterStore, CounterStoreLog } from './counter-store.ts';
export { createCounterStore } from './create-counter-store.ts';
export { type RateLimitOptions, registerRateLimit } from './rate-limit.ts';
export { DEFAULT_BUCKET_LIMITS, type RateLimitPolicy } from './rate-limit-policies.ts';
export { registerSecurityHeaders } from './security-headers.ts';
