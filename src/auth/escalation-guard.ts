import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isUuid } from '../db/index.ts';
import type { Principal } from '../http/index.ts';
import { PLATFORM_SLUG } from '../tenants/index.ts';
import { type AccessControlDeps, assertHoldsAll, authorize } from './access-control.ts';

// Nobody hands out more than they hold: every route that gives permissions away (a role's
// permissions, a client's, a policy, a role, a group with roles, or control of a more privileged user)
// names the check in `config.escalation`, and the caller must hold each catalogue permission
// concerned. Platform operators acting in a tenant are not limited (assertHoldsAll).

export type EscalationCheck =
  | 'role-permissions'
  | 'client-permissions'
  | 'policy-document'
  | 'policy-attachment'
  | 'role-assignment'
  | 'group-members'
  | 'target-user';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What this route gives away, which the caller must hold (escalation-guard.ts). */
    escalation?: EscalationCheck;
  }
}

export interface EscalationDeps {
  access: Pick<AccessControlDeps, 'subjects' | 'authorizer' | 'clientPermissions'>;
  catalogue: readonly string[];
  /** Permissions that count only in the platform tenant: elsewhere nobody can give or use them. */
  platformOnly: readonly string[];
  /** A permission as the catalogue permissions it stands for (wildcards expanded). */
  expand(permission: string): string[];
  documentGrants(document: unknown): string[];
  policyGrants(tenantId: string, policyId: string): Promise<string[]>;
  /** A role's permissions and what policies attached to it can give. */
  roleGrants(tenantId: string, roleId: string): Promise<string[]>;
  /** A group's roles' permissions, and what policies on the group and its roles can give. */
  groupGrants(tenantId: string, groupId: string): Promise<string[]>;
}

interface Shapes {
  body?: { permissions?: string[]; document?: unknown };
  params?: { id?: string; role_id?: string };
}

export function registerEscalationGuard(app: FastifyInstance, deps: EscalationDeps): void {
  /** What the target user can do now: to act on them, the caller must be able to do it too. */
  async function userGrants(tenantId: string, userId: string): Promise<string[]> {
    const target: Principal = {
      kind: 'user',
      tenantId,
      tenantSlug: '',
      subject: userId,
      sessionId: '',
      tokenId: '',
      // Counted as having passed MFA: what an MFA policy would allow the target counts too.
      amr: ['pwd', 'otp'],
      issuedAt: 0,
      expiresAt: 0,
    };
    const held: string[] = [];
    for (const permission of deps.catalogue) {
      const resource = `${permission.slice(0, permission.indexOf(':'))}/*`;
      const outcome = await authorize(target, { permission, resource, context: {} }, deps.access);
      if (outcome === 'allowed') held.push(permission);
    }
    return held;
  }

  async function needed(check: EscalationCheck, request: FastifyRequest, tenantId: string) {
    const { body, params } = request as unknown as Shapes;
    switch (check) {
      case 'role-permissions':
      case 'client-permissions':
        return (body?.permissions ?? []).flatMap(deps.expand);
      case 'policy-document':
        return body?.document === undefined ? [] : deps.documentGrants(body.document);
      case 'policy-attachment':
        return params?.id ? deps.policyGrants(tenantId, params.id) : [];
      case 'role-assignment':
        return params?.role_id ? deps.roleGrants(tenantId, params.role_id) : [];
      case 'group-members':
        return params?.id ? deps.groupGrants(tenantId, params.id) : [];
      case 'target-user':
        // Acting on oneself is not an escalation (and self routes are separate anyway).
        return params?.id && isUuid(params.id) && params.id !== request.auth?.subject
          ? userGrants(tenantId, params.id)
          : [];
    }
  }

  app.addHook('preHandler', async (request) => {
    const check = request.routeOptions.config.escalation;
    if (!check || !request.auth || !request.tenant) return;
    const tenantId = request.tenant.id;
    const platform = request.tenant.slug === PLATFORM_SLUG;
    const permissions = [...new Set(await needed(check, request, tenantId))].filter(
      (p) => platform || !deps.platformOnly.includes(p),
    );
    await assertHoldsAll(request.auth, tenantId, permissions, deps.access);
  });
}
