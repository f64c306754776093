import { type Static, Type } from 'typebox';

/** Most checks in one batch. */
export const MAX_BATCH_CHECKS = 100;
/** Most documents one simulation evaluates (as many as one target may have attached). */
export const MAX_SIMULATED_POLICIES = 20;

const Action = Type.String({
  minLength: 1,
  maxLength: 256,
  description: 'A permission-style action, `service:action` (e.g. `user:read`, `invoice:approve`).',
});
const Resource = Type.String({
  maxLength: 2048,
  description: 'A path inside the tenant, e.g. `user/123` or `project/apollo/doc/7`.',
});
const Context = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'Nested request context: `{"subject": {"email": …, "mfa": true}, "request": {"ip": …}, "resource": ' +
    '{"owner": …}}`. Values are strings, numbers, booleans or arrays of them; keys compare case-insensitively.',
});
const Subject = Type.String({ minLength: 1, maxLength: 64, description: 'The id of a user of this tenant.' });

export const CheckBody = Type.Object(
  { subject: Subject, action: Action, resource: Resource, context: Type.Optional(Context) },
  {
    additionalProperties: false,
    examples: [
      {
        subject: '0192f3a4-5b6c-7d8e-9f01-23456789abcd',
        action: 'invoice:read',
        resource: 'invoice/2024-0042',
        context: { request: { ip: '203.0.113.7' } },
      },
    ],
  },
);
export type CheckBody = Static<typeof CheckBody>;

export const BatchBody = Type.Object(
  { checks: Type.Array(CheckBody, { minItems: 1, maxItems: MAX_BATCH_CHECKS }) },
  { additionalProperties: false },
);
export type BatchBody = Static<typeof BatchBody>;

export const SimulateBody = Type.Object(
  {
    // Checked by the policy engine, so problems point into `/policies/<index>`.
    policies: Type.Array(Type.Unknown(), { minItems: 1, maxItems: MAX_SIMULATED_POLICIES }),
    request: Type.Object(
      { action: Action, resource: Resource, context: Type.Optional(Context) },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type SimulateBody = Static<typeof SimulateBody>;

const Matched = Type.Object({
  policy: Type.String({
    description: '`role:<name>`, `policy:<id>@<version>`, or `/policies/<index>` when simulating.',
  }),
  statement: Type.String({ description: 'The statement’s Sid, or its index.' }),
  effect: Type.Union([Type.Literal('Allow'), Type.Literal('Deny')]),
});

const decisionFields = {
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  reason: Type.Union([Type.Literal('allow'), Type.Literal('explicitDeny'), Type.Literal('implicitDeny')]),
  matched: Type.Array(Matched, { description: 'The statements that decided.' }),
};

export const DecisionView = Type.Object({
  ...decisionFields,
  error: Type.Optional(Type.String({ description: 'Why evaluation failed closed, when it did.' })),
});
export type DecisionView = Static<typeof DecisionView>;

export const BatchView = Type.Object({
  results: Type.Array(
    Type.Object({
      ...decisionFields,
      error: Type.Optional(
        Type.String({ description: 'Why the check was denied without evaluation, or failed closed.' }),
      ),
      code: Type.Optional(
        Type.String({ description: '`IAM_ERR_USER_NOT_FOUND` when the check names no user of this tenant.' }),
      ),
    }),
    { description: 'One result per check, in order.' },
  ),
});
export type BatchView = Static<typeof BatchView>;

export const SimulationView = Type.Object({
  ...decisionFields,
  error: Type.Optional(Type.String()),
  context: Type.Record(Type.String(), Type.Unknown(), {
    description: 'The flattened context the policies were evaluated against (dotted, lower-cased keys).',
  }),
});
export type SimulationView = Static<typeof SimulationView>;
