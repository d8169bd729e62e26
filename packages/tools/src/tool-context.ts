import { Type, type Static } from '@sinclair/typebox';
import { EventType, RunStatus } from '@cronium/contracts';

/**
 * What a message template can read: plain data about the run that triggered the action.
 * Built by the caller (the orchestrator) after the run's outcome is stored; `logs` are the
 * last lines of the run, already masked. A workflow's tool node has no event or run of its
 * own (both null): it reads its `input` and its `workflow`.
 */
export const ToolContext = Type.Object(
  {
    event: Type.Union([
      Type.Object(
        { id: Type.Integer(), name: Type.String(), type: EventType },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    run: Type.Union([
      Type.Object(
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
      Type.Null(),
    ]),
    workflow: Type.Union(
      [
        Type.Object(
          {
            id: Type.Integer(),
            runId: Type.Integer(),
            node: Type.String({ description: 'the node, by name' }),
            input: Type.Unknown({ description: "the workflow run's input" }),
          },
          { additionalProperties: false },
        ),
        Type.Null(),
      ],
      { description: 'the workflow run the action is part of, or null' },
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
