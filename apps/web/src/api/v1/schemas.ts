import { FormatRegistry, Type } from '@sinclair/typebox';

// TypeBox checks only the formats it is told about.
if (!FormatRegistry.Has('email'))
  FormatRegistry.Set('email', (value) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value));
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set(
    'date-time',
    (value) => !Number.isNaN(Date.parse(value)) && /^\d{4}-\d{2}-\d{2}T/.test(value),
  );

const Email = Type.String({
  format: 'email',
  minLength: 3,
  maxLength: 254,
  pattern: '^[^\\s@]+@[^\\s@]+$',
});
const Password = Type.String({ minLength: 10, maxLength: 1024 });
const Strict = { additionalProperties: false } as const;

export const SetupBody = Type.Object(
  {
    email: Email,
    password: Password,
    name: Type.Optional(Type.String({ maxLength: 200 })),
    setupToken: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          'needed when the web process listens beyond loopback: CRONIUM_SETUP_TOKEN, or the token printed in the log at first start (also in <data dir>/setup-token)',
      }),
    ),
  },
  Strict,
);
export const SignInBody = Type.Object(
  { email: Email, password: Type.String({ maxLength: 1024 }) },
  Strict,
);
export const CreateTokenBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    scopes: Type.Array(Type.String({ maxLength: 40 }), { minItems: 1, maxItems: 20 }),
    expiresAt: Type.Optional(
      Type.Union([
        Type.String({ format: 'date-time', pattern: '^\\d{4}-\\d{2}-\\d{2}T' }),
        Type.Null(),
      ]),
    ),
  },
  Strict,
);
const Role = Type.Union([Type.Literal('admin'), Type.Literal('user')]);
export const InviteBody = Type.Object({ email: Email, role: Role }, Strict);
export const AcceptInvitationBody = Type.Object(
  {
    token: Type.String({ minLength: 10, maxLength: 200 }),
    password: Password,
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  Strict,
);
export const UpdateUserBody = Type.Object(
  { disabled: Type.Optional(Type.Boolean()), role: Type.Optional(Role) },
  { ...Strict, minProperties: 1 },
);

export const User = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  status: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export const ApiToken = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  prefix: Type.String(),
  scopes: Type.Array(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
