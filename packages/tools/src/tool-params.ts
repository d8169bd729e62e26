import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { ToolKind } from './tool-kind.ts';

/** Every text field of a params object is a template (see template.ts). */
const Template = (maxLength: number, minLength = 0) => Type.String({ minLength, maxLength });
/** A recipient template: renders to one address ("a@b" or "Name <a@b>"). */
const Recipients = (minItems: number) => Type.Array(Template(512, 1), { minItems, maxItems: 50 });

export const EmailParams = Type.Object(
  {
    to: Recipients(1),
    cc: Type.Optional(Recipients(0)),
    bcc: Type.Optional(Recipients(0)),
    subject: Template(1000, 1),
    text: Type.Optional(Template(65_536)),
    html: Type.Optional(Template(131_072)),
  },
  { additionalProperties: false },
);
export type EmailParams = Static<typeof EmailParams>;

export const SlackParams = Type.Object(
  {
    text: Template(40_000, 1),
    /** Bot credentials only: overrides the credential's channel. Webhooks post where they were made for. */
    channel: Type.Optional(Template(128, 1)),
  },
  { additionalProperties: false },
);
export type SlackParams = Static<typeof SlackParams>;

export const DiscordParams = Type.Object(
  { content: Template(4000, 1), username: Type.Optional(Template(80, 1)) },
  { additionalProperties: false },
);
export type DiscordParams = Static<typeof DiscordParams>;

export const TeamsParams = Type.Object(
  { title: Type.Optional(Template(1000, 1)), text: Template(28_000, 1) },
  { additionalProperties: false },
);
export type TeamsParams = Static<typeof TeamsParams>;

export const WebhookParams = Type.Object(
  {
    /** Unset: the run context as a JSON document. */
    body: Type.Optional(Template(262_144)),
    contentType: Type.Optional(
      Type.String({
        minLength: 3,
        maxLength: 128,
        pattern: '^[\\w.+-]+/[\\w.+-]+(\\s*;[^\\r\\n]*)?$',
      }),
    ),
  },
  { additionalProperties: false },
);
export type WebhookParams = Static<typeof WebhookParams>;

export interface ToolParamsByKind {
  email: EmailParams;
  slack: SlackParams;
  discord: DiscordParams;
  teams: TeamsParams;
  webhook: WebhookParams;
}
export type ToolParams<K extends ToolKind = ToolKind> = ToolParamsByKind[K];

export const TOOL_PARAMS_SCHEMAS: { [K in ToolKind]: TSchema } = {
  email: EmailParams,
  slack: SlackParams,
  discord: DiscordParams,
  teams: TeamsParams,
  webhook: WebhookParams,
};

/** The template fields of a params object, as JSON pointers and their source. */
export function templateFields(
  params: Record<string, unknown>,
): { pointer: string; source: string }[] {
  const fields: { pointer: string; source: string }[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (key === 'contentType') continue;
    if (typeof value === 'string') fields.push({ pointer: `/${key}`, source: value });
    else if (Array.isArray(value))
      value.forEach((item, index) => {
        if (typeof item === 'string') fields.push({ pointer: `/${key}/${index}`, source: item });
      });
  }
  return fields;
}
