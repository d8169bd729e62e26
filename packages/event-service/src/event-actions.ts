import { findToolCredential, type Db } from '@cronium/db';
import type { ActionOutcome } from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';
import { validateToolParams } from '@cronium/tools';

/** One conditional action of an event, as the API reads and writes it. */
export interface EventAction {
  /** When it fires, by how a run ended. */
  on: ActionOutcome;
  tool: { credentialId: number; params: Record<string, unknown> };
}

/** Most actions one event may have. */
export const MAX_EVENT_ACTIONS = 20;

/**
 * Each action must use one of the event owner's credentials, with params that fit its kind
 * and templates that parse; all problems come back together, with pointers, as 422.
 */
export async function checkEventActions(
  db: Db,
  ownerId: number,
  actions: EventAction[] | undefined,
): Promise<void> {
  if (!actions) return;
  const problems: { pointer: string; message: string }[] = [];
  for (const [i, action] of actions.entries()) {
    const at = `/body/actions/${i}/tool`;
    const credential = await findToolCredential(db, ownerId, action.tool.credentialId);
    if (!credential) {
      problems.push({
        pointer: `${at}/credentialId`,
        message: `no tool credential ${action.tool.credentialId} of the event's owner`,
      });
      continue;
    }
    const checked = validateToolParams(credential.kind, action.tool.params);
    if (!checked.ok)
      for (const e of checked.errors)
        problems.push({ pointer: `${at}/params${e.pointer}`, message: e.message });
  }
  if (problems.length > 0)
    throw new AppError('UNPROCESSABLE', 'the event cannot be saved as it is', { errors: problems });
}

/** Replaces an event's actions (in the caller's transaction), in the order given. */
export async function writeEventActions(
  trx: Db,
  eventId: number,
  actions: EventAction[],
): Promise<void> {
  await trx.deleteFrom('event_actions').where('event_id', '=', eventId).execute();
  if (actions.length > 0)
    await trx
      .insertInto('event_actions')
      .values(
        actions.map((action, position) => ({
          event_id: eventId,
          position,
          on_outcome: action.on,
          tool_credential_id: action.tool.credentialId,
          tool_params: JSON.stringify(action.tool.params),
        })),
      )
      .execute();
}

export async function readEventActions(db: Db, eventId: number): Promise<EventAction[]> {
  const rows = await db
    .selectFrom('event_actions')
    .select(['on_outcome', 'tool_credential_id', 'tool_params'])
    .where('event_id', '=', eventId)
    .orderBy('position')
    .execute();
  return rows.map((row) => ({
    on: row.on_outcome,
    tool: {
      credentialId: Number(row.tool_credential_id),
      params: row.tool_params as Record<string, unknown>,
    },
  }));
}
