import { type Static, Type } from 'typebox';
import { PageQuery, pageSchema } from '../http/index.ts';

/** Most ids one membership request may name, `add` and `remove` together. */
export const MAX_MEMBERSHIP_IDS = 1000;

// RFC 9562 §4: UUIDs are case-insensitive on input; the service stores and answers lowercase.
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

const GroupName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '\\S',
  description: 'Unique in the tenant, compared case-insensitively; surrounding spaces are dropped.',
});
const Description = Type.String({ maxLength: 1000 });
const Timestamp = Type.String({ format: 'date-time' });

export const GroupView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String(),
  description: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type GroupView = Static<typeof GroupView>;

export const CreateGroupBody = Type.Object(
  { name: GroupName, description: Type.Optional(Description) },
  {
    additionalProperties: false,
    examples: [{ name: 'Engineering', description: 'Everyone who ships code.' }],
  },
);
export type CreateGroupBody = Static<typeof CreateGroupBody>;

export const UpdateGroupBody = Type.Object(
  { name: Type.Optional(GroupName), description: Type.Optional(Description) },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateGroupBody = Static<typeof UpdateGroupBody>;

// Ids in paths are plain strings on purpose: a malformed id is answered 404, like an unknown one.
export const GroupParams = Type.Object({ tenant: Type.String(), id: Type.String() });
export const MemberParams = Type.Object({
  tenant: Type.String(),
  id: Type.String(),
  user_id: Type.String(),
});
export const UserParams = Type.Object({ tenant: Type.String(), id: Type.String() });

export const ListGroupsQuery = Type.Object(
  {
    ...PageQuery,
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Only groups whose name starts with this.' }),
    ),
  },
  { additionalProperties: false },
);
export type ListGroupsQuery = Static<typeof ListGroupsQuery>;

export const ListQuery = Type.Object(PageQuery, { additionalProperties: false });

export const GroupPage = pageSchema(GroupView);

export const MemberView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
});
export type MemberView = Static<typeof MemberView>;

export const MemberPage = pageSchema(MemberView);

const UserIds = Type.Array(Type.String({ pattern: UUID_PATTERN }), { maxItems: MAX_MEMBERSHIP_IDS });

export const ChangeMembersBody = Type.Object(
  {
    add: Type.Optional(UserIds),
    remove: Type.Optional(UserIds),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: `User ids to add and to remove, at most ${MAX_MEMBERSHIP_IDS} together; repeats are ignored.`,
  },
);
export type ChangeMembersBody = Static<typeof ChangeMembersBody>;

export const MembershipResult = Type.Union([
  Type.Literal('added'),
  Type.Literal('already_member'),
  Type.Literal('removed'),
  Type.Literal('not_member'),
  Type.Literal('not_found'),
]);
export type MembershipResult = Static<typeof MembershipResult>;

export const ChangeMembersResponse = Type.Object({
  results: Type.Array(Type.Object({ user_id: Type.String({ format: 'uuid' }), result: MembershipResult })),
});
export type ChangeMembersResponse = Static<typeof ChangeMembersResponse>;
