export { AppError, type FieldError, UnavailableError, ValidationError } from './app-error.ts';
export { createdCursor, idCursor, numberCursor, textIdCursor } from './cursors.ts';
export { ERROR_CATALOGUE, type ErrorCode, type ErrorEntry } from './error-catalogue.ts';
export { registerErrorHandling, sendProblem } from './error-handler.ts';
export { registerHandlerTimeout } from './handler-timeout.ts';
export { inspectInput, MAX_NESTING, registerInputGuard } from './input-guard.ts';
export { loggerOptions, redactUrl } from './logger.ts';
export { OAuthError } from './oauth-error.ts';
export {
  type CursorKey,
  DEFAULT_PAGE_SIZE,
  decodeCursor,
  encodeCursor,
  MAX_PAGE_SIZE,
  type Page,
  PageQuery,
  pageSchema,
  toPage,
} from './pagination.ts';
export { amqpProbe, redisProbe } from './probes.ts';
export { buildProblem, PROBLEM_CONTENT_TYPE, type Problem, ProblemSchema } from './problem.ts';
export { type Dependency, healthRoutes, type Probe } from './readiness.ts';
export type { Principal, RequestTenant, SessionRestriction } from './request-context.ts';
export { requestIdGenerator } from './request-id.ts';
export { BEARER, noContent, problemResponses, versionTag } from './route-schemas.ts';
export { proxyMatcher } from './trusted-proxies.ts';
