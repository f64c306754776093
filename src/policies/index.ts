export type { AttachedPolicy, TargetType } from './attachment-repository.ts';
export { type AttachmentService, createAttachmentService } from './attachment-service.ts';
export {
  type AuthorizationRequest,
  type Authorizer,
  type AuthorizerDeps,
  type AuthzSubject,
  createAuthorizer,
  decideFor,
  subjectContext,
} from './authorizer.ts';
export { authzRoutes } from './authz-routes.ts';
export { MAX_BATCH_CHECKS, MAX_SIMULATED_POLICIES } from './authz-schemas.ts';
export { createGrantReader, documentGrants, type GrantReader } from './granted-permissions.ts';
export { MAX_DOCUMENT_CHARS, MAX_POLICIES_PER_TARGET, MAX_POLICIES_PER_TENANT } from './policy-document.ts';
export type { Policy, PolicyVersion } from './policy-repository.ts';
export { policyRoutes } from './policy-routes.ts';
export { createPolicyService, type PolicyService } from './policy-service.ts';
