import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { ToolKind } from './tool-kind.ts';

/** An absolute http(s) URL; whether it may be reached is the egress policy's call at send time. */
const HttpUrl = Type.String({
  minLength: 8,
  maxLength: 2048,
  pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s/?#@]+([/?#]\\S*)?$',
  description: 'an http:// or https:// URL',
});
/** A header name as RFC 9110 defines a token. */
const HeaderName = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$",
});
/** No CR/LF: a header value must not start another header. */
const HeaderValue = Type.String({ maxLength: 4096, pattern: '^[^\\r\\n]*$' });
/** "addr@host" or "Name <addr@host>", on one line. */
const MailboxText = Type.String({
  minLength: 3,
  maxLength: 320,
  pattern: '^[^\\r\\n]*@[^\\r\\n]*$',
});

export const EmailCredential = Type.Object(
  {
    host: Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:\\[\\]-]+$' }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    tls: Type.Union([Type.Literal('none'), Type.Literal('starttls'), Type.Literal('implicit')]),
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    password: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    from: MailboxText,
  },
  { additionalProperties: false },
);
export type EmailCredential = Static<typeof EmailCredential>;

export const SlackWebhookCredential = Type.Object(
  { webhookUrl: HttpUrl },
  { additionalProperties: false },
);
export const SlackBotCredential = Type.Object(
  {
    botToken: Type.String({ minLength: 10, maxLength: 256, pattern: '^xox[a-z]-[A-Za-z0-9-]+$' }),
    channel: Type.String({ minLength: 1, maxLength: 128, pattern: '^[^\\s]+$' }),
  },
  { additionalProperties: false },
);
export const SlackCredential = Type.Union([SlackWebhookCredential, SlackBotCredential]);
export type SlackCredential = Static<typeof SlackCredential>;

export const DiscordCredential = Type.Object(
  { webhookUrl: HttpUrl },
  { additionalProperties: false },
);
export type DiscordCredential = Static<typeof DiscordCredential>;

/** A Teams "Workflows" webhook (Power Automate), which posts an Adaptive Card message. */
export const TeamsCredential = Type.Object(
  { webhookUrl: HttpUrl },
  { additionalProperties: false },
);
export type TeamsCredential = Static<typeof TeamsCredential>;

export const WebhookCredential = Type.Object(
  {
    url: HttpUrl,
    method: Type.Union([Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH')]),
    headers: Type.Optional(
      Type.Record(HeaderName, HeaderValue, { maxProperties: 32, additionalProperties: false }),
    ),
    signingSecret: Type.Optional(Type.String({ minLength: 16, maxLength: 512 })),
  },
  { additionalProperties: false },
);
export type WebhookCredential = Static<typeof WebhookCredential>;

export interface ToolCredentials {
  email: EmailCredential;
  slack: SlackCredential;
  discord: DiscordCredential;
  teams: TeamsCredential;
  webhook: WebhookCredential;
}
export type ToolCredential<K extends ToolKind = ToolKind> = ToolCredentials[K];

/** The credential schema of each kind (slack's is a union; see validateToolCredential). */
export const TOOL_CREDENTIAL_SCHEMAS: { [K in ToolKind]: TSchema } = {
  email: EmailCredential,
  slack: SlackCredential,
  discord: DiscordCredential,
  teams: TeamsCredential,
  webhook: WebhookCredential,
};
