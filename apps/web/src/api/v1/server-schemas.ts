import { Type } from '@sinclair/typebox';

const Strict = { additionalProperties: false } as const;
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) =>
  Type.Union([schema, Type.Null()]);
const Fingerprint = Type.String({
  pattern: '^SHA256:[A-Za-z0-9+/]{43}$',
  description: 'OpenSSH notation, as `ssh-keygen -lf` prints it',
});

const ServerAuth = Type.Union([
  Type.Object(
    {
      method: Type.Literal('private_key'),
      privateKey: Type.String({ minLength: 1, maxLength: 65_536 }),
      passphrase: Type.Optional(Nullable(Type.String({ maxLength: 1_024 }))),
    },
    Strict,
  ),
  Type.Object(
    { method: Type.Literal('password'), password: Type.String({ minLength: 1, maxLength: 1_024 }) },
    Strict,
  ),
]);

const serverFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  host: Type.String({ minLength: 1, maxLength: 253 }),
  port: Type.Integer({ minimum: 1, maximum: 65_535 }),
  username: Type.String({ minLength: 1, maxLength: 64 }),
  auth: ServerAuth,
  maxConnections: Type.Integer({ minimum: 1, maximum: 64 }),
  hostKeyFingerprint: Fingerprint,
};

export const CreateServerBody = Type.Object(
  {
    name: serverFields.name,
    host: serverFields.host,
    port: Type.Optional(serverFields.port),
    username: serverFields.username,
    auth: serverFields.auth,
    maxConnections: Type.Optional(serverFields.maxConnections),
    hostKeyFingerprint: Type.Optional(serverFields.hostKeyFingerprint),
  },
  Strict,
);
export const UpdateServerBody = Type.Partial(Type.Object(serverFields, Strict), Strict);
export const ConfirmHostKeyBody = Type.Object({ fingerprint: Fingerprint }, Strict);

export const Server = Type.Object({
  id: Type.Integer(),
  ownerId: Type.Integer(),
  name: Type.String(),
  host: Type.String(),
  port: Type.Integer(),
  username: Type.String(),
  authMethod: Type.Union([Type.Literal('private_key'), Type.Literal('password')]),
  hostKeyFingerprint: Nullable(Type.String()),
  hostKeyConfirmedAt: Nullable(Type.String({ format: 'date-time' })),
  maxConnections: Type.Integer(),
  eventIds: Type.Array(Type.Integer()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const HostKeyScan = Type.Object({
  fingerprint: Type.String(),
  keyType: Type.String(),
  pinned: Nullable(Type.String()),
  matches: Type.Boolean(),
});

const Version = Nullable(Type.String());
export const ConnectionReport = Type.Object({
  ok: Type.Boolean(),
  reachable: Type.Boolean(),
  hostKey: Type.Object({
    presented: Nullable(Type.String()),
    pinned: Nullable(Type.String()),
    matches: Type.Boolean(),
  }),
  authenticated: Type.Boolean(),
  runtimeApiForwarding: Type.Boolean(),
  /** Without SFTP, runs upload their files through the shell instead. */
  sftp: Type.Boolean(),
  interpreters: Type.Object({ bash: Version, python3: Version, node: Version }),
  connectMs: Type.Union([Type.Integer(), Type.Null()]),
  error: Nullable(Type.String()),
});
