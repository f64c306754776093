import { canonicalId, type Database } from '../db/index.ts';
import { policiesAttachedTo, policyDocuments } from './attachment-repository.ts';
import { actionMatches, compileStatement } from './engine/statement.ts';
import { analyzePolicy } from './engine/validate.ts';
import { findPolicy, findPolicyVersion } from './policy-repository.ts';

// What a policy can give: the service's own permissions its Allow statements name. Resources and
// conditions are ignored on purpose (an over-estimate): whoever hands a policy out must hold
// everything it could ever allow, whatever the request it is later asked about.

/** The catalogue permissions an Allow statement of the document matches by action. */
export function documentGrants(document: unknown, catalogue: readonly string[]): string[] {
  const parsed = analyzePolicy(document, { maxChars: Number.POSITIVE_INFINITY });
  if (parsed.issues.length > 0) return [];
  const allows = parsed.statements
    .filter((s) => s.effect === 'Allow')
    .map((s) => compileStatement('grant-check', s));
  return catalogue.filter((permission) => allows.some((s) => actionMatches(s, permission.toLowerCase())));
}

const NO_USER = '00000000-0000-0000-0000-000000000000';

export function createGrantReader(deps: { database: Database; catalogue: readonly string[] }) {
  const { database, catalogue } = deps;
  return {
    documentGrants: (document: unknown) => documentGrants(document, catalogue),

    /** What the current version of a policy can give; nothing when there is no such policy. */
    async policy(tenantId: string, rawId: string): Promise<string[]> {
      const id = canonicalId(rawId);
      if (!id) return [];
      const document = await database.withTenant(tenantId, async (trx) => {
        const policy = await findPolicy(trx, tenantId, id);
        return policy && (await findPolicyVersion(trx, tenantId, id, policy.version))?.document;
      });
      return document === undefined ? [] : documentGrants(document, catalogue);
    },

    /** What the policies attached to these groups and roles can give. */
    async attachedTo(tenantId: string, targets: { groups: readonly string[]; roles: readonly string[] }) {
      const documents = await database.withTenant(tenantId, async (trx) =>
        policyDocuments(
          trx,
          tenantId,
          await policiesAttachedTo(trx, tenantId, { user: NO_USER, ...targets }),
        ),
      );
      return [...documents.values()].flatMap((document) => documentGrants(document, catalogue));
    },
  };
}

export type GrantReader = ReturnType<typeof createGrantReader>;
