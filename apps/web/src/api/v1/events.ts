import { Type } from '@sinclair/typebox';
import {
  cancelRun,
  checkEventPrivileges,
  checkQuota,
  checkRunAt,
  createEvent,
  deleteEvent,
  listEvents,
  listRuns,
  listScheduleTicks,
  readEvent,
  readRun,
  readRunLogLines,
  triggerEventRun,
  updateEvent,
  EVENT_SORTS,
} from '@cronium/event-service';
import {
  EventStatus as EventStatusSchema,
  EventType as EventTypeSchema,
  TargetKind,
  oneOf,
} from '@cronium/contracts';
import { AppError } from '@cronium/service-kit/errors';
import { hasScope, type Principal } from '@cronium/accounts';
import { answer, apiRoute } from '../api-route.ts';
import { idParam } from '../request-params.ts';
import { checkTriggerLimits } from '../trigger-limits.ts';
import {
  CreateEventBody,
  Event,
  EventListItem,
  LogLine,
  Run,
  TriggerRunBody,
  UpdateEventBody,
} from './event-schemas.ts';

const problem = (description: string) => ({ description });

export const getEvents = apiRoute(
  'GET',
  '/api/v1/events',
  {
    summary:
      'Your events (admins: all) with their next fire and latest run; search, filter, sort, page',
    tags: ['events'],
    scope: 'events:read',
    query: Type.Object({
      q: Type.Optional(
        Type.String({ maxLength: 200, description: 'part of the name or description, or a tag' }),
      ),
      status: Type.Optional(EventStatusSchema),
      type: Type.Optional(EventTypeSchema),
      targetKind: Type.Optional(TargetKind),
      tag: Type.Optional(Type.String({ maxLength: 50 })),
      sort: Type.Optional(oneOf(EVENT_SORTS, { description: 'newest (the default) first' })),
      before: Type.Optional(
        Type.Integer({ minimum: 1, description: 'ids below this one (sort=newest)' }),
      ),
      offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
      limit: Type.Optional(Type.Integer({ minimum: 1, description: 'at most 200' })),
    }),
    responses: {
      200: {
        description: 'a page of events',
        schema: Type.Object({
          events: Type.Array(EventListItem),
          nextBefore: Type.Union([Type.Integer(), Type.Null()]),
          total: Type.Integer({ description: 'events matching the filters' }),
        }),
      },
    },
  },
  async ({ deps, principal, query }) => listEvents(deps.db, principal, query),
);

/**
 * What decides which code runs, where and when: writing any of these needs the
 * `events:execute` scope besides `events:write`. Code runs with its owner's secret variables
 * and on their servers, so a token that may not run code must not be able to make code run
 * (review M8): `events:write` alone renames, describes, tags, pauses and deletes.
 */
const EXECUTION_FIELDS = new Set([
  'type',
  'script',
  'http',
  'tool',
  'actions',
  'schedule',
  'targetKind',
  'image',
  'serverIds',
  'env',
  'secretEnv',
  'networkEnabled',
  'limits',
  'timeoutSeconds',
  'retry',
  'concurrency',
  'priority',
]);

function requireExecuteScope(principal: Principal, body: Record<string, unknown>): void {
  const fields = Object.keys(body).filter(
    (field) => EXECUTION_FIELDS.has(field) || (field === 'status' && body.status !== 'paused'),
  );
  if (fields.length > 0 && !hasScope(principal, 'events:execute'))
    throw new AppError(
      'FORBIDDEN',
      `this API token lacks the events:execute scope, which ${fields.join(', ')} need: it decides what code runs, with your secret variables and on your servers`,
    );
}

export const postEvent = apiRoute(
  'POST',
  '/api/v1/events',
  {
    summary: 'Create an event (with an API token: events:write and events:execute)',
    tags: ['events'],
    scope: 'events:write',
    conditionalScope: 'events:execute',
    body: CreateEventBody,
    responses: {
      201: { description: 'created', schema: Event },
      403: problem('the API token lacks events:execute'),
      422: problem('invalid cron, time zone, never-firing schedule, or missing script/request'),
    },
  },
  async ({ deps, principal, body, meta }) => {
    // Every event has code: creating one decides what runs.
    requireExecuteScope(principal, { script: true });
    checkEventPrivileges(body, principal, deps.ownerLimits);
    await checkQuota(deps.db, principal, 'events', deps.ownerLimits.events, 'events');
    return answer(201, await createEvent(deps.db, deps.box, principal, body, meta));
  },
);

export const getEvent = apiRoute(
  'GET',
  '/api/v1/events/{id}',
  {
    summary: 'One event',
    tags: ['events'],
    scope: 'events:read',
    responses: {
      200: { description: 'the event', schema: Event },
      404: problem('no such event of yours'),
    },
  },
  async ({ deps, principal, params }) => readEvent(deps.db, principal, idParam(params.id)),
);

export const patchEvent = apiRoute(
  'PATCH',
  '/api/v1/events/{id}',
  {
    summary:
      'Change an event (the fields given); pause or resume with {"status": "paused"|"active"}; with an API token, fields that decide what code runs need events:execute',
    tags: ['events'],
    scope: 'events:write',
    conditionalScope: 'events:execute',
    body: UpdateEventBody,
    responses: {
      200: { description: 'the event', schema: Event },
      403: problem('the API token lacks events:execute for the fields given'),
      404: problem('no such event of yours'),
      422: problem('invalid result'),
    },
  },
  async ({ deps, principal, params, body, meta }) => {
    requireExecuteScope(principal, body as Record<string, unknown>);
    checkEventPrivileges(body, principal, deps.ownerLimits);
    return updateEvent(deps.db, deps.box, principal, idParam(params.id), body, meta);
  },
);

export const deleteEventRoute = apiRoute(
  'DELETE',
  '/api/v1/events/{id}',
  {
    summary: 'Delete an event and its runs',
    tags: ['events'],
    scope: 'events:write',
    responses: {
      204: { description: 'deleted' },
      409: problem('a run is in progress, or the event is in a workflow'),
    },
  },
  async ({ deps, principal, params, meta }) => {
    await deleteEvent(deps.db, principal, idParam(params.id), meta);
  },
);

export const postEventRun = apiRoute(
  'POST',
  '/api/v1/events/{id}/runs',
  {
    summary: 'Run the event now or at a time (runAt), with an input value (any JSON)',
    tags: ['runs'],
    scope: 'runs:write',
    body: TriggerRunBody,
    responses: {
      201: {
        description: 'the run, queued (or scheduled, for a later runAt)',
        schema: Run,
      },
      429: problem('too many triggers per minute, or too many of your runs waiting'),
      409: problem('skipped by the concurrency policy'),
      422: problem('runAt more than a year ahead or more than 5 minutes past'),
    },
  },
  async ({ deps, principal, params, body, meta }) => {
    const runAt = checkRunAt(body.runAt);
    await checkTriggerLimits(deps, principal);
    const result = await triggerEventRun(
      deps.db,
      principal,
      idParam(params.id),
      body.input,
      meta,
      runAt,
    );
    if (!result.run) throw new AppError('CONFLICT', `not run: ${result.reason ?? result.outcome}`);
    return answer(201, result.run);
  },
);

export const getEventTicks = apiRoute(
  'GET',
  '/api/v1/events/{id}/ticks',
  {
    summary: 'The schedule ledger: every due slot and what became of it',
    tags: ['events'],
    scope: 'events:read',
    query: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1 })) }),
    responses: { 200: { description: 'ticks, newest first' } },
  },
  async ({ deps, principal, params, query }) =>
    listScheduleTicks(deps.db, principal, idParam(params.id), query.limit ?? 100),
);

export const getRuns = apiRoute(
  'GET',
  '/api/v1/runs',
  {
    summary: 'Runs, newest first; filter by eventId, status, from, to; page with before',
    tags: ['runs'],
    scope: 'runs:read',
    query: Type.Object({
      eventId: Type.Optional(Type.Integer({ minimum: 1 })),
      status: Type.Optional(Type.String({ maxLength: 50 })),
      from: Type.Optional(Type.String({ format: 'date-time', description: 'created at or after' })),
      to: Type.Optional(Type.String({ format: 'date-time', description: 'created before' })),
      before: Type.Optional(Type.Integer({ minimum: 1, description: 'ids below this one' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, description: 'at most 200' })),
    }),
    responses: {
      200: {
        description: 'a page of runs',
        schema: Type.Object({
          runs: Type.Array(Run),
          nextBefore: Type.Union([Type.Integer(), Type.Null()]),
        }),
      },
    },
  },
  async ({ deps, principal, query }) =>
    listRuns(deps.db, principal, {
      ...query,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    }),
);

export const getRun = apiRoute(
  'GET',
  '/api/v1/runs/{id}',
  {
    summary: 'One run: status, attempt, exit code, output, condition, timings, per-server results',
    tags: ['runs'],
    scope: 'runs:read',
    responses: {
      200: { description: 'the run', schema: Run },
      404: problem('no such run of yours'),
    },
  },
  async ({ deps, principal, params }) => readRun(deps.db, principal, idParam(params.id)),
);

export const getRunLogs = apiRoute(
  'GET',
  '/api/v1/runs/{id}/logs',
  {
    summary: 'Log lines after a sequence number (?after=, ?limit=)',
    tags: ['runs'],
    scope: 'runs:read',
    query: Type.Object({
      after: Type.Optional(Type.Integer({ minimum: 0, description: 'sequence number' })),
      limit: Type.Optional(Type.Integer({ minimum: 1 })),
    }),
    responses: { 200: { description: 'lines in order', schema: Type.Array(LogLine) } },
  },
  async ({ deps, principal, params, query }) =>
    readRunLogLines(deps.db, principal, idParam(params.id), query.after ?? 0, query.limit ?? 1_000),
);

export const postRunCancel = apiRoute(
  'POST',
  '/api/v1/runs/{id}/cancel',
  {
    summary: 'Cancel a scheduled, queued or running run',
    tags: ['runs'],
    scope: 'runs:write',
    responses: { 200: { description: 'the run', schema: Run }, 409: problem('already finished') },
  },
  async ({ deps, principal, params, meta }) =>
    cancelRun(deps.db, principal, idParam(params.id), meta),
);
