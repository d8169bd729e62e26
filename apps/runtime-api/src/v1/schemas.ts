import { Type, type Static } from '@sinclair/typebox';
import { VARIABLE_KEY_PATTERN } from '@cronium/db';

/** Any JSON value (input, output). */
export const JsonValue = Type.Unknown({ description: 'any JSON value' });

export const InputResponse = Type.Object({ input: JsonValue }, { additionalProperties: false });
export const OutputBody = Type.Object({ output: JsonValue }, { additionalProperties: false });
export const ConditionBody = Type.Object(
  { condition: Type.Boolean() },
  { additionalProperties: false },
);
export const ConditionResponse = Type.Object(
  { condition: Type.Union([Type.Boolean(), Type.Null()]) },
  { additionalProperties: false },
);
export const VariableParams = Type.Object(
  { key: Type.String({ pattern: VARIABLE_KEY_PATTERN }) },
  { additionalProperties: false },
);
export const VariableBody = Type.Object(
  { value: Type.String({ maxLength: 1_000_000 }) },
  { additionalProperties: false },
);
export const VariableResponse = Type.Object(
  { key: Type.String(), value: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false },
);
export const Accepted = Type.Object({ ok: Type.Literal(true) }, { additionalProperties: false });

/** The run context, as @cronium/contracts defines it for the runtime API, the SDKs and the database. */
export { EventContext as EventContextResponse } from '@cronium/contracts';

export type OutputBody = Static<typeof OutputBody>;
export type ConditionBody = Static<typeof ConditionBody>;
export type VariableParams = Static<typeof VariableParams>;
export type VariableBody = Static<typeof VariableBody>;

/** `executeToolAction(tool, params)`: one of the run owner's credentials, by name. */
export const ToolActionBody = Type.Object(
  {
    tool: Type.String({ minLength: 1, maxLength: 100, description: 'a tool credential name' }),
    params: Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
      description: "what to send, by the credential's kind (docs/tools.md)",
    }),
  },
  { additionalProperties: false },
);
/** The same result for every tool, in every SDK. */
export const ToolActionResponse = Type.Object(
  {
    ok: Type.Boolean(),
    status: Type.Optional(Type.Integer()),
    detail: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
    retryable: Type.Optional(Type.Boolean()),
    retryAfterMs: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);
export type ToolActionBody = Static<typeof ToolActionBody>;
