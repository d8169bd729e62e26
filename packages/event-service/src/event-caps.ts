import { readSandboxCaps, type Db } from '@cronium/db';
import { AppError, type FieldProblem } from '@cronium/service-kit/errors';
import type { EventInput } from './event-input.ts';

/**
 * A container event's limits against the administrator's caps (as the orchestrator
 * published them), so an event above them is refused when it is saved, with the cap in the
 * message, rather than failing at every run. Before any orchestrator has published caps,
 * the orchestrator's own check at run time is the only one.
 */
export async function checkEventAgainstCaps(
  db: Db,
  input: EventInput,
  ownerId: number,
): Promise<void> {
  if (input.targetKind !== 'container') return;
  // A container network is outside the egress policy (Cronium does not see its
  // connections), so only an admin's events may join it; checked again at every run.
  if (input.networkEnabled && !(await isAdminUser(db, ownerId)))
    throw new AppError('UNPROCESSABLE', 'the event cannot be saved as it is', {
      errors: [
        {
          pointer: '/body/networkEnabled',
          message:
            "only an admin's container events may use the container network (it is not under the egress policy)",
        },
      ],
    });
  const caps = await readSandboxCaps(db);
  if (!caps) return;
  const problems: FieldProblem[] = [];
  const over = (field: 'memoryMb' | 'cpuMillis' | 'pids', unit: string) => {
    const asked = input.limits?.[field];
    if (asked !== undefined && asked !== null && asked > caps[field])
      problems.push({
        pointer: `/body/limits/${field}`,
        message: `the administrator allows at most ${caps[field]}${unit}`,
      });
  };
  over('memoryMb', ' MB');
  over('cpuMillis', ' millicpus');
  over('pids', ' processes');
  if (input.networkEnabled && !caps.network)
    problems.push({
      pointer: '/body/networkEnabled',
      message: 'no container network is configured (CONTAINER_NETWORK)',
    });
  if (problems.length > 0)
    throw new AppError('UNPROCESSABLE', 'the event cannot be saved as it is', { errors: problems });
}

async function isAdminUser(db: Db, userId: number): Promise<boolean> {
  const user = await db
    .selectFrom('users')
    .select('role')
    .where('id', '=', userId)
    .executeTakeFirst();
  return user?.role === 'admin';
}
