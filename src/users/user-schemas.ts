import { type Static, Type } from 'typebox';
import { PageQuery, pageSchema } from '../http/index.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
// OpenID Connect Core §5.1 standard claim names.
const profileFields = {
  name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  given_name: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  family_name: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  locale: Type.Optional(
    Nullable(
      Type.String({
        pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$',
        maxLength: 35,
        description: 'BCP 47 language tag.',
      }),
    ),
  ),
  zoneinfo: Type.Optional(
    Nullable(Type.String({ maxLength: 64, description: 'IANA time zone, e.g. `Europe/Paris`.' })),
  ),
  phone_number: Type.Optional(
    Nullable(Type.String({ pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164.' })),
  ),
  attributes: Type.Optional(
    Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
      description: 'Free JSON object; size capped per tenant.',
    }),
  ),
};
export type ProfileFields = { [K in keyof typeof profileFields]?: Static<(typeof profileFields)[K]> };

const Email = Type.String({
  minLength: 3,
  maxLength: 320,
  description: 'Trimmed and Unicode-normalised (NFC) before use.',
});
const Password = Type.String({ minLength: 1, maxLength: 4096 });

export const UserView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  email_verified: Type.Boolean(),
  status: Type.Union([Type.Literal('active'), Type.Literal('deactivated')]),
  status_reason: Type.Union([Type.String(), Type.Null()]),
  name: Type.Union([Type.String(), Type.Null()]),
  given_name: Type.Union([Type.String(), Type.Null()]),
  family_name: Type.Union([Type.String(), Type.Null()]),
  locale: Type.Union([Type.String(), Type.Null()]),
  zoneinfo: Type.Union([Type.String(), Type.Null()]),
  phone_number: Type.Union([Type.String(), Type.Null()]),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  last_login_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  deleted_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type UserView = Static<typeof UserView>;
export const UserPage = Type.Intersect([
  pageSchema(UserView),
  Type.Object({ total: Type.Optional(Type.Integer()) }),
]);

export const CreateUserBody = Type.Object(
  {
    email: Email,
    password: Type.Optional(Password),
    password_hash: Type.Optional(
      Type.String({
        maxLength: 256,
        description:
          'Import an existing hash instead of `password`: bcrypt (`$2a$`, `$2b$`, `$2y$`) or argon2id; upgraded to the current argon2id parameters on the next sign-in.',
      }),
    ),
    email_verified: Type.Optional(Type.Boolean({ description: 'Mark the address verified (for imports).' })),
    ...profileFields,
  },
  {
    additionalProperties: false,
    examples: [
      { email: 'grace@example.com', given_name: 'Grace', family_name: 'Hopper', locale: 'en-US' },
      { email: 'alan@example.com', password: 'a long passphrase of his own', email_verified: true },
    ],
  },
);
export type CreateUserBody = Static<typeof CreateUserBody>;

export const UpdateUserBody = Type.Object(
  { email: Type.Optional(Email), email_verified: Type.Optional(Type.Boolean()), ...profileFields },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserBody = Static<typeof UpdateUserBody>;

// What users may change about themselves: never status, verification, roles or tenant.
export const UpdateMeBody = Type.Object(
  { email: Type.Optional(Email), ...profileFields },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateMeBody = Static<typeof UpdateMeBody>;

/** The user's own changes: a new email also needs the current password (ASVS 7.5.1). */
export const UpdateMyProfileBody = Type.Object(
  {
    email: Type.Optional(Email),
    current_password: Type.Optional(Password),
    ...profileFields,
  },
  { additionalProperties: false, minProperties: 1 },
);

export const RegisterBody = Type.Object(
  { email: Email, password: Password, ...profileFields },
  {
    additionalProperties: false,
    examples: [{ email: 'ada@example.com', password: 'a long passphrase of her own', name: 'Ada Lovelace' }],
  },
);
export type RegisterBody = Static<typeof RegisterBody>;

export const UserParams = Type.Object({ tenant: Type.String(), id: Type.String({ maxLength: 64 }) });
export const DeactivateBody = Type.Object(
  { reason: Type.String({ minLength: 1, maxLength: 500 }) },
  { additionalProperties: false },
);
export const ChangePasswordBody = Type.Object(
  { current_password: Password, new_password: Password },
  { additionalProperties: false },
);
export const PasswordBody = Type.Object({ password: Password }, { additionalProperties: false });
export const EmailBody = Type.Object({ email: Email }, { additionalProperties: false });
export const ForgotBody = Type.Object(
  {
    email: Email,
    captcha: Type.Optional(
      Type.String({ maxLength: 4096, description: 'A captcha solution, once failures call for one.' }),
    ),
  },
  { additionalProperties: false },
);
export const LinkToken = Type.String({ minLength: 1, maxLength: 128 });
export const TokenBody = Type.Object({ token: LinkToken }, { additionalProperties: false });
export const TokenPasswordBody = Type.Object(
  { token: LinkToken, password: Password },
  { additionalProperties: false },
);
export const Accepted = Type.Object({ status: Type.Literal('accepted'), message: Type.String() });

export const ListUsersQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('deactivated')])),
    email: Type.Optional(Type.String({ minLength: 1, maxLength: 320, description: 'Email prefix.' })),
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Name prefix (case-insensitive).' }),
    ),
    group: Type.Optional(Type.String({ format: 'uuid', description: 'Members of this group.' })),
    role: Type.Optional(
      Type.String({ minLength: 1, maxLength: 100, description: 'Holders of this role (by name).' }),
    ),
    created_after: Type.Optional(Type.String({ format: 'date-time' })),
    created_before: Type.Optional(Type.String({ format: 'date-time' })),
    sort: Type.Optional(
      Type.Union(
        [
          Type.Literal('created_at'),
          Type.Literal('-created_at'),
          Type.Literal('email'),
          Type.Literal('-email'),
        ],
        { default: 'created_at' },
      ),
    ),
    count: Type.Optional(
      Type.Boolean({ description: 'Include `total`, the number of users matching the filters.' }),
    ),
    include: Type.Optional(
      Type.Literal('deleted', { description: 'List deleted users (restorable) instead of live ones.' }),
    ),
  },
  { additionalProperties: false },
);
export type ListUsersQuery = Static<typeof ListUsersQuery>;
