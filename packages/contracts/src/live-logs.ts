import { Type, type Static } from '@sinclair/typebox';

/**
 * The live-logs protocol between apps/ws and its clients (browsers, API clients): JSON text
 * frames. The client subscribes to runs; the server sends the run's stored lines from
 * `afterSeq` on, then the live tail, without gap or duplicate, then status changes.
 */

const RunId = Type.Integer({ minimum: 1 });
const Seq = Type.Integer({ minimum: 0 });

export const SubscribeMessage = Type.Object(
  {
    type: Type.Literal('subscribe'),
    runId: RunId,
    /** Resume after this sequence number (0 or absent: from the first line). */
    afterSeq: Type.Optional(Seq),
    /**
     * Lines in `logs` frames, as many as one read of the store gives (up to 500), instead of
     * one `log` frame each: what a client that loads long logs wants (the browser UI does).
     */
    batch: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export const UnsubscribeMessage = Type.Object(
  { type: Type.Literal('unsubscribe'), runId: RunId },
  { additionalProperties: false },
);
/**
 * Status changes of every run of the authenticated user, and hints that one of their workflow
 * runs moved (`workflow_run` frames).
 */
export const SubscribeMyRunsMessage = Type.Object(
  { type: Type.Literal('subscribe_my_runs') },
  { additionalProperties: false },
);
export const PingMessage = Type.Object(
  { type: Type.Literal('ping'), id: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
export const ClientMessage = Type.Union([
  SubscribeMessage,
  UnsubscribeMessage,
  SubscribeMyRunsMessage,
  PingMessage,
]);
export type ClientMessage = Static<typeof ClientMessage>;

/** One stored line of a run's log. */
export const LogLine = Type.Object({
  seq: Seq,
  attempt: Type.Integer(),
  stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr'), Type.Literal('system')]),
  serverId: Type.Union([Type.Integer(), Type.Null()]),
  /** When the line was written, ISO 8601. */
  at: Type.String(),
  text: Type.String(),
});
export const LogFrame = Type.Composite([
  Type.Object({ type: Type.Literal('log'), runId: RunId }),
  LogLine,
]);
/** Consecutive lines of one run, in `seq` order (subscriptions with `batch`). */
export const LogsFrame = Type.Object({
  type: Type.Literal('logs'),
  runId: RunId,
  lines: Type.Array(LogLine, { minItems: 1 }),
});
export const StatusFrame = Type.Object({
  type: Type.Literal('status'),
  runId: RunId,
  eventId: Type.Integer(),
  status: Type.String(),
  attempt: Type.Integer(),
  exitCode: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
});
/**
 * One of the user's workflow runs moved: a node started, is being sent (a tool node claimed,
 * or to be tried again) or ended, or the run ended. A hint to read the workflow run again
 * (its nodes are not in the frame); `status` is the run's as it was when the hint was read.
 */
export const WorkflowRunFrame = Type.Object({
  type: Type.Literal('workflow_run'),
  workflowRunId: RunId,
  status: Type.String(),
});
export const SubscribedFrame = Type.Object({
  type: Type.Literal('subscribed'),
  runId: RunId,
  status: Type.String(),
  /** The last sequence number stored when the subscription began. */
  latestSeq: Seq,
});
export const UnsubscribedFrame = Type.Object({ type: Type.Literal('unsubscribed'), runId: RunId });
/** The client reads slower than the run writes; lines keep coming from the store. */
export const BehindFrame = Type.Object({
  type: Type.Literal('behind'),
  runId: RunId,
  lastSentSeq: Seq,
});
export const ErrorFrame = Type.Object({
  type: Type.Literal('error'),
  code: Type.String(),
  message: Type.String(),
  runId: Type.Optional(RunId),
});
export const PongFrame = Type.Object({
  type: Type.Literal('pong'),
  id: Type.Optional(Type.String()),
});
export const ServerFrame = Type.Union([
  LogFrame,
  LogsFrame,
  StatusFrame,
  WorkflowRunFrame,
  SubscribedFrame,
  UnsubscribedFrame,
  BehindFrame,
  ErrorFrame,
  PongFrame,
]);
export type LogLine = Static<typeof LogLine>;
export type LogFrame = Static<typeof LogFrame>;
export type LogsFrame = Static<typeof LogsFrame>;
export type StatusFrame = Static<typeof StatusFrame>;
export type WorkflowRunFrame = Static<typeof WorkflowRunFrame>;
export type ServerFrame = Static<typeof ServerFrame>;

/** Limits a connection lives within. */
export const LIVE_LOG_LIMITS = {
  /** Largest client message, in bytes. */
  maxMessageBytes: 4_096,
  /** Runs one connection may follow at once. */
  maxSubscriptions: 100,
  /**
   * Subscribe messages one connection may send per second (a burst of this many, refilled at
   * this rate); past it, an error frame `rate_limited` and no database work.
   */
  subscribesPerSecond: 20,
} as const;
