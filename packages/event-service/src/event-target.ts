import type { Principal } from '@cronium/accounts';
import { localAccessRefusal, readTargetPolicy, type Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';
import type { EventInput } from './event-input.ts';

const isScript = (type: EventInput['type'] | undefined) =>
  type === 'bash' || type === 'python' || type === 'node';

/**
 * A new event's target when none is given: HTTP events run from the orchestrator (local);
 * scripts in a container when a Docker engine answered the orchestrator at its start, on the
 * orchestrator's machine otherwise.
 */
export async function withDefaultTarget(db: Db, input: EventInput): Promise<EventInput> {
  if (input.targetKind !== undefined) return input;
  if (!isScript(input.type)) return { ...input, targetKind: 'local' };
  const policy = await readTargetPolicy(db);
  return { ...input, targetKind: policy.containers ? 'container' : 'local' };
}

/**
 * Refuses a script event on the local target when its owner may not run local scripts
 * (ORCHESTRATOR_LOCAL, as the orchestrator published it; its default, admins, before that).
 */
export async function checkLocalAccess(
  db: Db,
  input: Pick<EventInput, 'type' | 'targetKind'>,
  ownerRole: Principal['role'],
): Promise<void> {
  if (!isScript(input.type) || input.targetKind !== 'local') return;
  const refusal = localAccessRefusal((await readTargetPolicy(db)).local, ownerRole);
  if (refusal)
    throw new AppError('UNPROCESSABLE', 'the event cannot be saved as it is', {
      errors: [{ pointer: '/body/targetKind', message: refusal }],
    });
}

/** The role of an event's owner (who its scripts run for), for `checkLocalAccess`. */
export async function roleOf(db: Db, userId: number): Promise<Principal['role']> {
  const row = await db
    .selectFrom('users')
    .select('role')
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  return row.role;
}
