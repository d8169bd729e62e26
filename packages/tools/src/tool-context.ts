import { Type, type Static } from '@sinclair/typebox';
import { EventType, RunStatus } from '@cronium/contracts';

/**
 * What a message template can read: plain data about the run that triggered the action.
 * Built by the caller (the orchestrator) after the run's outcome is stored; `logs` are the
 * last lines of the run, already masked.
 */
export const ToolContext = Type.Object(
  {
    event: Type.Object(
      { id: Type.Integer(), name: Type.String(), type: EventType },
      { additionalProperties: false },
    ),
    run: Type.Object(
      {
        id: Type.Integer(),
        status: RunStatus,
        attempt: Type.Integer(),
        durationMs: Type.Union([Type.Integer(), Type.Null()]),
        exitCode: Type.Union([Type.Integer(), Type.Null()]),
        error: Type.Union([Type.String(), Type.Null()]),
        startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
        finishedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      },
      { additionalProperties: false },
    ),
    output: Type.Unknown({ description: 'what the script set as its output (JSON), or null' }),
    condition: Type.Union([Type.Boolean(), Type.Null()]),
    input: Type.Unknown({ description: 'the run input (JSON), or null' }),
    logs: Type.Array(Type.String(), { description: 'the last lines of the log, masked' }),
    variables: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type ToolContext = Static<typeof ToolContext>;

/** The names a template may start a variable with (checked when a template is saved). */
export const TOOL_CONTEXT_ROOTS = Object.keys(ToolContext.properties) as (keyof ToolContext)[];
