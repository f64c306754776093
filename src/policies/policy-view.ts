import { BEARER, noContent, problemResponses, versionTag } from '../http/index.ts';
import type { Policy, PolicyVersion } from './policy-repository.ts';
import type { PolicyVersionView, PolicyView } from './policy-schemas.ts';

/** The policy with one of its versions (the current one unless another is asked for). */
export function policyView(
  policy: Policy,
  shown: Pick<PolicyVersion, 'version' | 'document'> = policy,
): PolicyView {
  return {
    id: policy.id,
    name: policy.name,
    description: policy.description,
    version: shown.version,
    current_version: policy.version,
    document: shown.document,
    created_at: policy.createdAt,
    updated_at: policy.updatedAt,
  };
}

export function versionView(version: PolicyVersion): PolicyVersionView {
  return {
    version: version.version,
    document: version.document,
    created_at: version.createdAt,
    created_by: version.createdBy,
  };
}

/** Strong validator (RFC 9110 §8.8.3): every change makes a new version, so the version is the tag. */
export function etagOf(policy: Pick<Policy, 'id' | 'version'>): string {
  return versionTag(policy.id, policy.version);
}

/** OpenAPI tags shared by every policies route. */
export const tags = ['policies'];
export const security = BEARER;

/** Problems any policies route may answer. */
export const problems = problemResponses(400, 401, 403, 404, 422);

export { noContent };
