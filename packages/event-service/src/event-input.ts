import { CronSchedule, InvalidScheduleError } from '@cronium/scheduler';
import {
  secretValueProblem,
  type ConcurrencyPolicy,
  type EventStatus,
  type EventType,
  type MisfirePolicy,
  type TargetKind,
} from '@cronium/contracts';
import { AppError } from '@cronium/service-kit/errors';
import type { EventAction } from './event-actions.ts';

/** An event as the API writes it (camelCase; every field but name and type optional). */
export interface EventInput {
  name: string;
  description?: string;
  type: EventType;
  script?: string | null;
  http?: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    body?: string | null;
  } | null;
  /** What to do after each run ends (replaces the event's actions as a whole). */
  actions?: EventAction[];
  /** A `tool` event's action: one of its owner's credentials, and the params (templates). */
  tool?: { credentialId: number; params: Record<string, unknown> } | null;
  schedule?: { cron: string; timezone?: string; misfirePolicy?: MisfirePolicy } | null;
  status?: Extract<EventStatus, 'active' | 'paused'>;
  targetKind?: TargetKind;
  image?: string | null;
  serverIds?: number[];
  timeoutSeconds?: number;
  retry?: { maxAttempts?: number; delaySeconds?: number; backoffFactor?: number };
  concurrency?: { policy?: ConcurrencyPolicy; max?: number };
  priority?: number;
  env?: Record<string, string>;
  /** Write-only secret environment; on update, merged (null removes a name). */
  secretEnv?: Record<string, string | null>;
  tags?: string[];
  limits?: { memoryMb?: number | null; cpuMillis?: number | null; pids?: number | null };
  networkEnabled?: boolean;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// A Docker image reference: [registry[:port]/]path[:tag][@sha256:digest], path in lower case.
const PATH_PART = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE = new RegExp(
  `^(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?${PATH_PART}(?:/${PATH_PART})*` +
    '(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$',
);

/**
 * What the schema cannot say: a script for script events, a request for HTTP events, a
 * schedule that parses in its time zone and fires at least once, environment names a shell
 * can hold, servers for SSH events. Problems come back together, with JSON pointers, as 422.
 */
export function checkEventInput(input: EventInput): void {
  const problems: { pointer: string; message: string }[] = [];
  const scriptType = input.type === 'bash' || input.type === 'python' || input.type === 'node';
  if (scriptType && !input.script)
    problems.push({ pointer: '/body/script', message: `a ${input.type} event needs a script` });
  if (input.type === 'http' && !input.http)
    problems.push({ pointer: '/body/http', message: 'an http event needs method and url' });
  if (input.type === 'tool' && !input.tool)
    problems.push({ pointer: '/body/tool', message: 'a tool event needs a credential and params' });
  if (input.type !== 'tool' && input.tool)
    problems.push({ pointer: '/body/tool', message: 'only tool events have a tool action' });
  if (input.http) {
    try {
      const url = new URL(input.http.url);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
    } catch {
      problems.push({ pointer: '/body/http/url', message: 'an absolute http(s) URL' });
    }
  }
  if (input.schedule) problems.push(...scheduleProblems(input.schedule));
  if (input.image && !IMAGE.test(input.image))
    problems.push({
      pointer: '/body/image',
      message: 'an image reference such as python:3.12-slim or registry.example.com/team/job:1.0',
    });
  for (const name of Object.keys(input.env ?? {}))
    if (!ENV_NAME.test(name) || name.startsWith('CRONIUM_'))
      problems.push({
        pointer: `/body/env/${name}`,
        message: 'a shell variable name, not starting with CRONIUM_',
      });
  for (const [name, value] of Object.entries(input.secretEnv ?? {})) {
    const pointer = `/body/secretEnv/${name}`;
    if (!ENV_NAME.test(name) || name.startsWith('CRONIUM_'))
      problems.push({ pointer, message: 'a shell variable name, not starting with CRONIUM_' });
    else if (value !== null && name in (input.env ?? {}))
      problems.push({ pointer, message: 'also set in env: a name is either secret or not' });
    const refused = value === null ? undefined : secretValueProblem(value);
    if (refused) problems.push({ pointer, message: refused });
    if (value?.includes('\0')) problems.push({ pointer, message: 'no NUL characters' });
  }
  if (input.targetKind === 'ssh' && (input.serverIds ?? []).length === 0)
    problems.push({
      pointer: '/body/serverIds',
      message: 'an ssh event needs at least one server',
    });
  if (input.targetKind !== 'ssh' && (input.serverIds ?? []).length > 0)
    problems.push({ pointer: '/body/serverIds', message: 'servers are for ssh events only' });
  if (
    (input.type === 'http' || input.type === 'tool') &&
    input.targetKind &&
    input.targetKind !== 'local'
  )
    problems.push({
      pointer: '/body/targetKind',
      message: `${input.type} events run from the orchestrator (local)`,
    });
  if (problems.length > 0)
    throw new AppError('UNPROCESSABLE', 'the event cannot be saved as it is', { errors: problems });
}

/** A schedule's problems (pointers under /body/schedule): it parses, and it fires at all. */
export function scheduleProblems(schedule: {
  cron: string;
  timezone?: string;
}): { pointer: string; message: string }[] {
  try {
    const parsed = new CronSchedule(schedule.cron, schedule.timezone ?? 'UTC');
    if (!parsed.nextAfter(new Date()))
      return [{ pointer: '/body/schedule/cron', message: 'this schedule never fires' }];
    return [];
  } catch (error) {
    if (!(error instanceof InvalidScheduleError)) throw error;
    return [
      {
        pointer: error.field === 'timezone' ? '/body/schedule/timezone' : '/body/schedule/cron',
        message: error.message,
      },
    ];
  }
}
