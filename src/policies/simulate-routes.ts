import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Clock } from '../clock.ts';
import { buildContext, timeDefault } from './authz-context.ts';
import { MAX_SIMULATED_POLICIES, SimulateBody, SimulationView } from './authz-schemas.ts';
import { assertValidContexts, contextErrors, decisionView, problems, tags } from './authz-view.ts';
import { combinePolicies, compilePolicy, decide } from './engine/index.ts';
import { documentErrors, policyInvalid } from './policy-document.ts';
import { parseJsonStrictly } from './policy-json.ts';
import { security } from './policy-view.ts';

/**
 * `/t/{tenant}/v1/authz/simulate`, in a plugin of its own: its bodies carry documents, whose keys
 * must not repeat (policy-spec §1, see policy-json.ts), while the check routes keep the fast parser.
 */
export const simulateRoutes: FastifyPluginAsyncTypebox<{ clock: Clock }> = async (app, { clock }) => {
  parseJsonStrictly(app, (pointer) => /^\/policies\/\d+\//.test(pointer));

  app.post(
    '/t/:tenant/v1/authz/simulate',
    {
      config: { permission: 'authz:check' },
      schema: {
        tags,
        summary: 'Evaluate policy documents against a request, storing nothing',
        description:
          `Up to ${MAX_SIMULATED_POLICIES} documents, decided as if attached to one subject. Nothing is ` +
          'read or stored: put every `subject.*` key the policies use into the context. An invalid ' +
          'document is a 422 `IAM_ERR_POLICY_INVALID` whose `errors[]` point into `/policies/<index>`. ' +
          'The answer names matched statements by `/policies/<index>` and echoes the flattened context.',
        security,
        body: SimulateBody,
        response: { 200: SimulationView, ...problems },
      },
    },
    async (request) => {
      const { policies, request: question } = request.body;
      const invalid = policies.flatMap((document, i) => documentErrors(document, `/policies/${i}`));
      if (invalid.length > 0) throw policyInvalid(invalid);
      assertValidContexts(contextErrors(question.context, '/request/context'));
      const set = combinePolicies(
        policies.map((document, i) => compilePolicy({ id: `/policies/${i}`, document })),
      );
      const context = buildContext(question.context, { defaults: timeDefault(clock.now()) });
      const decision = decide(set, { action: question.action, resource: question.resource, context });
      return { ...decisionView(decision), context };
    },
  );
};
