import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../clock.ts';
import { userNotFound } from '../roles/index.ts';
import { type Authorizer, type AuthzSubject, decideFor } from './authorizer.ts';
import { timeDefault } from './authz-context.ts';
import { BatchBody, BatchView, CheckBody, DecisionView, MAX_BATCH_CHECKS } from './authz-schemas.ts';
import { assertValidContexts, contextErrors, decisionView, problems, tags } from './authz-view.ts';
import { security } from './policy-view.ts';
import { simulateRoutes } from './simulate-routes.ts';

/** Decisions for applications: `/t/{tenant}/v1/authz/{check,check/batch,simulate}`. */
export const authzRoutes: FastifyPluginAsyncTypebox<{ authorizer: Authorizer; clock: Clock }> = async (
  app,
  { authorizer, clock },
) => {
  app.post(
    '/t/:tenant/v1/authz/check',
    {
      config: { permission: 'authz:check' },
      schema: {
        tags,
        summary: 'Decide whether a user may do an action on a resource',
        description:
          'Evaluates the user’s roles (own and through groups) and every policy attached to the user, its ' +
          'groups and its roles. The service sets `subject.id`, `subject.tenant`, `subject.roles`, ' +
          '`subject.role_ids`, `subject.groups` and `subject.group_ids` itself, and `request.time` when ' +
          'the context has none. An unknown user is a 404 `IAM_ERR_USER_NOT_FOUND`; a deactivated one ' +
          'is denied everything.',
        security,
        body: CheckBody,
        response: { 200: DecisionView, ...problems },
      },
    },
    async (request) => {
      const { subject: userId, ...check } = request.body;
      assertValidContexts(contextErrors(check.context, '/context'));
      const subject = await authorizer.subject(request.tenant!.id, userId);
      if (!subject) throw userNotFound();
      return decisionView(decideFor(subject, check, timeDefault(clock.now())));
    },
  );

  app.post(
    '/t/:tenant/v1/authz/check/batch',
    {
      config: { permission: 'authz:check' },
      schema: {
        tags,
        summary: 'Decide up to 100 checks at once',
        description:
          `Up to ${MAX_BATCH_CHECKS} checks, answered in order. A check naming an unknown user is denied ` +
          'with `code: IAM_ERR_USER_NOT_FOUND`; the others are answered as usual. An invalid field ' +
          'anywhere refuses the whole batch (422).',
        security,
        body: BatchBody,
        response: { 200: BatchView, ...problems },
      },
    },
    async (request) => {
      const { checks } = request.body;
      assertValidContexts(checks.flatMap((check, i) => contextErrors(check.context, `/checks/${i}/context`)));
      const tenantId = request.tenant!.id;
      const subjects = new Map<string, AuthzSubject | undefined>();
      for (const { subject } of checks)
        if (!subjects.has(subject)) subjects.set(subject, await authorizer.subject(tenantId, subject));
      const defaults = timeDefault(clock.now());
      return {
        results: checks.map(({ subject: userId, ...check }) => {
          const subject = subjects.get(userId);
          if (!subject) {
            return {
              decision: 'deny' as const,
              reason: 'implicitDeny' as const,
              matched: [],
              code: 'IAM_ERR_USER_NOT_FOUND',
              error: 'No such user.',
            };
          }
          return decisionView(decideFor(subject, check, defaults));
        }),
      };
    },
  );

  await app.register(simulateRoutes, { clock });
};
