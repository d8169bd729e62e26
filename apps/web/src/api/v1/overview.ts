import { Type } from '@sinclair/typebox';
import { RunStatus } from '@cronium/contracts';
import { isAdmin } from '@cronium/accounts';
import { summarizeRuns } from '@cronium/event-service';
import { readSandboxCaps, readTargetPolicy } from '@cronium/db';
import { CronSchedule, InvalidScheduleError } from '@cronium/scheduler';
import { AppError } from '@cronium/service-kit/errors';
import { apiRoute } from '../api-route.ts';

const problem = (description: string) => ({ description });
const Nullable = <T extends import('@sinclair/typebox').TSchema>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const SchedulePreview = Type.Object({
  timezone: Type.String(),
  fires: Type.Array(
    Type.Object({
      at: Type.String({ format: 'date-time' }),
      dstShift: Type.Optional(
        Type.String({ description: 'why the slot moved (a daylight-saving gap)' }),
      ),
    }),
  ),
});

export const getSchedulePreview = apiRoute(
  'GET',
  '/api/v1/schedules/preview',
  {
    summary:
      "The next fire times of a cron expression in a time zone, by the orchestrator's own scheduler code",
    tags: ['events'],
    scope: 'events:read',
    query: Type.Object({
      cron: Type.String({ minLength: 1, maxLength: 200 }),
      timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
      count: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: '5 by default' })),
    }),
    responses: {
      200: {
        description: 'the next fires',
        schema: SchedulePreview,
      },
      422: problem('not a cron expression, not a time zone, or it never fires'),
    },
  },
  async ({ query }) => {
    const timezone = query.timezone ?? 'UTC';
    let schedule: CronSchedule;
    try {
      schedule = new CronSchedule(query.cron, timezone);
    } catch (error) {
      if (!(error instanceof InvalidScheduleError)) throw error;
      throw new AppError('UNPROCESSABLE', error.message, {
        errors: [{ pointer: `/query/${error.field}`, message: error.message }],
      });
    }
    const fires: { at: Date; dstShift?: string }[] = [];
    let after = new Date();
    for (let i = 0; i < (query.count ?? 5); i++) {
      const slot = schedule.nextAfter(after);
      if (!slot) break;
      fires.push(slot);
      after = slot.at;
    }
    return { timezone, fires };
  },
);

const RunBrief = Type.Object({
  id: Type.Integer(),
  eventId: Type.Integer(),
  eventName: Nullable(Type.String()),
  status: RunStatus,
  error: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
});

export const RunSummary = Type.Object({
  since: Type.String({ format: 'date-time' }),
  byStatus: Type.Record(Type.String(), Type.Integer()),
  running: Type.Array(RunBrief),
  recentFailures: Type.Array(RunBrief),
  nextFires: Type.Array(
    Type.Object({
      eventId: Type.Integer(),
      name: Type.String(),
      at: Type.String({ format: 'date-time' }),
      timezone: Type.String(),
    }),
  ),
});

export const getRunSummary = apiRoute(
  'GET',
  '/api/v1/runs/summary',
  {
    summary:
      'What the dashboard shows: runs of the last hours by status, what runs now, recent failures and the next scheduled fires',
    tags: ['runs'],
    scope: 'runs:read',
    query: Type.Object({
      hours: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 720, description: '24 by default' }),
      ),
    }),
    responses: {
      200: {
        description: 'the summary',
        schema: RunSummary,
      },
    },
  },
  async ({ deps, principal, query }) => summarizeRuns(deps.db, principal, query.hours ?? 24),
);

export const Settings = Type.Object({
  targets: Type.Object({
    containers: Type.Boolean({ description: 'a Docker engine answered the orchestrator' }),
    local: Type.String({ description: 'ORCHESTRATOR_LOCAL: who may run local scripts' }),
  }),
  containerCaps: Nullable(
    Type.Object({
      memoryMb: Type.Integer(),
      cpuMillis: Type.Integer(),
      pids: Type.Integer(),
      network: Type.Boolean(),
    }),
  ),
  limits: Nullable(
    Type.Object({
      maxTimeoutSeconds: Type.Integer(),
      events: Type.Integer(),
      variables: Type.Integer(),
      variableBytes: Type.Integer(),
      queuedRuns: Type.Integer(),
      apiTokens: Type.Integer(),
      servers: Type.Integer(),
    }),
  ),
  egress: Type.Optional(
    Type.Object({
      allow: Type.Array(Type.String()),
      allowMetadata: Type.Array(Type.String()),
    }),
  ),
});

export const getSettings = apiRoute(
  'GET',
  '/api/v1/settings',
  {
    summary:
      'The settings that apply to your events: targets, container caps and your limits (admins also see the egress policy); set by the environment (docs/configuration.md)',
    tags: ['accounts'],
    responses: {
      200: {
        description: 'the settings in effect',
        schema: Settings,
      },
    },
  },
  async ({ deps, principal }) => {
    const [targets, caps] = await Promise.all([
      readTargetPolicy(deps.db),
      readSandboxCaps(deps.db),
    ]);
    const admin = isAdmin(principal);
    return {
      targets,
      containerCaps: caps ?? null,
      // Admins are not held to the per-user limits.
      limits: admin ? null : deps.ownerLimits,
      ...(admin ? { egress: deps.egress.describe() } : {}),
    };
  },
);
