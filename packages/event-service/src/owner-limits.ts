import { isAdmin, type Principal } from '@cronium/accounts';
import type { Database, Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';
import type { EventInput } from './event-input.ts';

/**
 * What one user may take of a shared installation (review M2). Admins are trusted with the
 * host and are not held to these; everyone else is, so that no user can crowd the others out
 * (the claim's fairness and per-owner running cap are the engine's side of the same rule).
 */
export interface OwnerLimits {
  /** Longest `timeoutSeconds` a user's event may have. */
  maxTimeoutSeconds: number;
  events: number;
  variables: number;
  /** Total characters of a user's variable values. */
  variableBytes: number;
  /**
   * Runs of a user's that wait in the queue or for their time (`scheduled`); a trigger past it
   * is refused (429).
   */
  queuedRuns: number;
  apiTokens: number;
  servers: number;
}

export const DEFAULT_OWNER_LIMITS: OwnerLimits = {
  maxTimeoutSeconds: 86_400,
  events: 1_000,
  variables: 1_000,
  variableBytes: 64 * 1024 * 1024,
  queuedRuns: 1_000,
  apiTokens: 100,
  servers: 100,
};

/**
 * What only admins may ask of an event: a priority above 0 (it would put their runs before
 * everyone's), a schedule with a seconds field (up to 86,400 runs and ledger rows a day), and a
 * timeout above the installation's maximum. Checked on the fields given.
 */
export function checkEventPrivileges(
  input: Partial<EventInput>,
  principal: Principal,
  limits: OwnerLimits,
): void {
  if (isAdmin(principal)) return;
  const problems: { pointer: string; message: string }[] = [];
  if (input.priority !== undefined && input.priority > 0)
    problems.push({
      pointer: '/body/priority',
      message: 'only administrators may set a priority above 0',
    });
  if (input.schedule && input.schedule.cron.trim().split(/\s+/).length === 6)
    problems.push({
      pointer: '/body/schedule/cron',
      message: 'only administrators may schedule by the second (6 fields); use 5 fields',
    });
  if (input.timeoutSeconds !== undefined && input.timeoutSeconds > limits.maxTimeoutSeconds)
    problems.push({
      pointer: '/body/timeoutSeconds',
      message: `at most ${limits.maxTimeoutSeconds} s on this installation`,
    });
  if (problems.length > 0)
    throw new AppError('UNPROCESSABLE', 'the event asks for more than your account may', {
      errors: problems,
    });
}

type Counted = 'events' | 'variables' | 'api_tokens' | 'servers';
const OWNER_COLUMN: Record<Counted, 'owner_id' | 'user_id'> = {
  events: 'owner_id',
  variables: 'owner_id',
  api_tokens: 'user_id',
  servers: 'owner_id',
};

/**
 * Refuses a new row of `table` for a user who has `max` already (409, with what to do). A
 * count before the insert: two requests at the same moment may both pass, which a quota can
 * afford.
 */
export async function checkQuota(
  db: Db,
  principal: Principal,
  table: Counted,
  max: number,
  what: string,
  /** A variable being replaced is not a new one. */
  exceptKey?: string,
): Promise<void> {
  if (isAdmin(principal)) return;
  const column = OWNER_COLUMN[table];
  let query = db
    .selectFrom(table as keyof Database)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(column as never, '=', principal.userId as never);
  if (table === 'api_tokens') query = query.where('revoked_at' as never, 'is', null as never);
  if (exceptKey !== undefined) query = query.where('key' as never, '<>', exceptKey as never);
  const { n } = (await query.executeTakeFirstOrThrow()) as { n: string };
  if (Number(n) >= max)
    throw new AppError(
      'CONFLICT',
      `you have ${n} ${what}, the most this installation allows per user; delete some first, or ask an administrator`,
    );
}

/** Refuses a variable write that would take the user's variables past their total size. */
export async function checkVariableBytes(
  db: Db,
  principal: Principal,
  key: string,
  value: string,
  limits: OwnerLimits,
): Promise<void> {
  if (isAdmin(principal)) return;
  const { used } = (await db
    .selectFrom('variables')
    .select((eb) =>
      eb.fn
        .coalesce(
          eb.fn.sum<string>(
            eb.fn.coalesce(eb.fn('length', ['value']), eb.fn('length', ['value_encrypted'])),
          ),
          eb.lit(0),
        )
        .as('used'),
    )
    .where('owner_id', '=', principal.userId)
    .where('key', '<>', key)
    .executeTakeFirstOrThrow()) as { used: string | number };
  if (Number(used) + value.length > limits.variableBytes)
    throw new AppError(
      'CONFLICT',
      `your variables would hold more than ${limits.variableBytes} characters, the most this installation allows per user`,
    );
}

/**
 * Refuses a trigger while the user has `max` runs waiting in the queue or for their time
 * (scheduled runs count: no one can pile up runs for later without limit) (429). `whose` says
 * whose runs they are to the caller: "you have" through the API, "the event's owner has" to a
 * webhook's sender.
 */
export async function checkQueuedRuns(
  db: Db,
  owner: Pick<Principal, 'userId' | 'role'>,
  limits: OwnerLimits,
  whose = 'you have',
): Promise<void> {
  if (owner.role === 'admin') return;
  const { n } = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('owner_id', '=', owner.userId)
    .where('status', 'in', ['queued', 'scheduled'])
    .executeTakeFirstOrThrow();
  if (Number(n) >= limits.queuedRuns)
    throw new AppError(
      'RATE_LIMITED',
      `${whose} ${n} runs waiting already, the most this installation allows per user; try again when some have started`,
      { headers: { 'retry-after': '30' } },
    );
}
