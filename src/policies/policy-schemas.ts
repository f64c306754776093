import { type Static, Type } from 'typebox';
import { PageQuery, pageSchema } from '../http/index.ts';
import { MAX_DOCUMENT_CHARS } from './policy-document.ts';

const PolicyName = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.+=,@-]*$',
  description: 'Letters, digits and `_ . + = , @ -`, starting with a letter or digit; unique in the tenant.',
});
const Description = Type.String({ maxLength: 1000 });
// The document is checked by the policy engine, not by this schema, so that every problem is
// reported as `IAM_ERR_POLICY_INVALID` with a pointer into the document (policy-spec §7).
const Document = Type.Unknown({
  description:
    `A policy document (docs/policies.md): \`{"Version": "2012-10-17", "Statement": [...]}\`, at most ` +
    `${MAX_DOCUMENT_CHARS.toLocaleString('en')} characters without whitespace; keys must not repeat.`,
});
const Timestamp = Type.String({ format: 'date-time' });
const Id = Type.String({ format: 'uuid' });

export const PolicyView = Type.Object({
  id: Id,
  name: Type.String(),
  description: Type.String(),
  version: Type.Integer({
    minimum: 1,
    description: 'The version shown; the current one unless `?version=`.',
  }),
  current_version: Type.Integer({ minimum: 1 }),
  document: Type.Unknown(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type PolicyView = Static<typeof PolicyView>;

export const PolicyVersionView = Type.Object({
  version: Type.Integer({ minimum: 1 }),
  document: Type.Unknown(),
  created_at: Timestamp,
  created_by: Type.Union([Id, Type.Null()], { description: 'Who saved this version.' }),
});
export type PolicyVersionView = Static<typeof PolicyVersionView>;

export const CreatePolicyBody = Type.Object(
  { name: PolicyName, description: Type.Optional(Description), document: Document },
  {
    additionalProperties: false,
    examples: [
      {
        name: 'read-invoices-with-mfa',
        description: 'Invoices are read and listed only in sessions signed in with a second factor.',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'ReadInvoicesWithMfa',
              Effect: 'Allow',
              Action: ['invoice:read', 'invoice:list'],
              Resource: 'invoice/*',
              Condition: { Bool: { 'subject.mfa': 'true' } },
            },
          ],
        },
      },
    ],
  },
);
export type CreatePolicyBody = Static<typeof CreatePolicyBody>;

export const UpdatePolicyBody = Type.Object(
  {
    name: Type.Optional(PolicyName),
    description: Type.Optional(Description),
    document: Type.Optional(Document),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdatePolicyBody = Static<typeof UpdatePolicyBody>;

// Ids in paths are plain strings on purpose: a malformed id is answered 404, like an unknown one.
export const PolicyParams = Type.Object({ tenant: Type.String(), id: Type.String() });

// One `enum` (not a union of literals), so a wrong value is reported once.
export const TargetType = Type.Enum(['role', 'group', 'user'], {
  description: 'What the policy attaches to: `role`, `group` or `user`.',
});
export const AttachmentParams = Type.Object({
  tenant: Type.String(),
  id: Type.String(),
  target_type: TargetType,
  target_id: Type.String(),
});

export const ReadPolicyQuery = Type.Object(
  {
    version: Type.Optional(
      Type.Integer({ minimum: 1, description: 'A saved version instead of the current.' }),
    ),
  },
  { additionalProperties: false },
);

export const IfMatch = Type.Object({
  'if-match': Type.Optional(Type.String({ description: 'ETag from a previous read; 412 if stale.' })),
});

export const ListQuery = Type.Object(PageQuery, { additionalProperties: false });
export type ListQuery = Static<typeof ListQuery>;

export const PolicyPage = pageSchema(PolicyView);
export const PolicyVersionPage = pageSchema(PolicyVersionView);

export const AttachmentPage = pageSchema(
  Type.Object({
    target_type: TargetType,
    target_id: Type.String({ format: 'uuid' }),
    target_name: Type.Union([Type.String(), Type.Null()], {
      description: "The role's or group's name, or the user's email (null once the user is deleted).",
    }),
    attached_at: Type.String({ format: 'date-time' }),
  }),
);
