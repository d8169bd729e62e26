import { Type, type Static } from '@sinclair/typebox';
import { EventType, RunTrigger } from './domain.ts';

/**
 * What a running script learns about itself (`getEventContext()` in the SDKs): read by the
 * runtime API from the database (`readLiveRunContext` in @cronium/run-queue), served with this
 * schema, and typed by the SDKs (`packages/sdk/files/node/cronium/index.d.ts` is checked
 * against it by `packages/sdk/src/contracts-check.ts`).
 */
export const EventContext = Type.Object(
  {
    event: Type.Object(
      {
        id: Type.Integer(),
        name: Type.String(),
        type: EventType,
        tags: Type.Array(Type.String()),
      },
      { additionalProperties: false },
    ),
    run: Type.Object(
      {
        id: Type.Integer(),
        attempt: Type.Integer(),
        trigger: RunTrigger,
        scheduledFor: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
        inputSize: Type.Integer({ description: 'bytes of the run input as JSON' }),
      },
      { additionalProperties: false },
    ),
    userId: Type.Integer(),
    server: Type.Union([
      Type.Object(
        { id: Type.Integer(), name: Type.String(), host: Type.String() },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    workflow: Type.Union([
      Type.Object(
        {
          id: Type.Integer(),
          runId: Type.Integer(),
          node: Type.String({ description: "this run's node in the workflow, by name" }),
          input: Type.Unknown({ description: "the workflow run's input" }),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
);
export type EventContext = Static<typeof EventContext>;
