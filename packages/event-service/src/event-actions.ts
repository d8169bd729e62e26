import { findToolCredential, type Db } from '@cronium/db';
import type { ActionOutcome } from '@cronium/db';
import { eventActionsLeadTo } from '@cronium/run-queue';
import { AppError } from '@cronium/service-kit/errors';
import { validateToolParams } from '@cronium/tools';

/**
 * One conditional action of an event, as the API reads and writes it: either a tool action
 * to send, or another of the owner's events to start with the run's output as its input.
 */
export interface EventAction {
  /** When it fires, by how a run ended. */
  on: ActionOutcome;
  tool?: { credentialId: number; params: Record<string, unknown> };
  event?: { id: number };
}

/** Most actions one event may have. */
export const MAX_EVENT_ACTIONS = 20;

type Problem = { pointer: string; message: string };

/**
 * Each action must be one thing: a tool action with one of the event owner's credentials,
 * params that fit its kind and templates that parse; or one of the owner's events, which may
 * not lead back to this one through other events' actions (a loop would start runs forever).
 * All problems come back together, with pointers, as 422. `eventId` is the event being
 * updated (none when it is being created: nothing can lead to it yet).
 */
export async function checkEventActions(
  db: Db,
  ownerId: number,
  actions: EventAction[] | undefined,
  eventId?: number,
): Promise<void> {
  if (!actions) return;
  const problems: Problem[] = [];
  for (const [i, action] of actions.entries()) {
    const at = `/body/actions/${i}`;
    if ((action.tool === undefined) === (action.event === undefined)) {
      problems.push({ pointer: at, message: 'an action has either `tool` or `event`, not both' });
      continue;
    }
    if (action.tool) await checkToolActionOf(db, ownerId, action.tool, `${at}/tool`, problems);
    else await checkTargetEvent(db, ownerId, action.event!.id, eventId, `${at}/event/id`, problems);
  }
  if (problems.length > 0)
    throw new AppError('UNPROCESSABLE', 'the event cannot be saved as it is', { errors: problems });
}

async function checkToolActionOf(
  db: Db,
  ownerId: number,
  tool: NonNullable<EventAction['tool']>,
  at: string,
  problems: Problem[],
): Promise<void> {
  const credential = await findToolCredential(db, ownerId, tool.credentialId);
  if (!credential) {
    problems.push({
      pointer: `${at}/credentialId`,
      message: `no tool credential ${tool.credentialId} of the event's owner`,
    });
    return;
  }
  const checked = validateToolParams(credential.kind, tool.params);
  if (!checked.ok)
    for (const e of checked.errors)
      problems.push({ pointer: `${at}/params${e.pointer}`, message: e.message });
}

async function checkTargetEvent(
  db: Db,
  ownerId: number,
  targetId: number,
  eventId: number | undefined,
  at: string,
  problems: Problem[],
): Promise<void> {
  const target = await db
    .selectFrom('events')
    .select('id')
    .where('id', '=', targetId)
    .where('owner_id', '=', ownerId)
    .executeTakeFirst();
  if (!target) {
    problems.push({ pointer: at, message: `no event ${targetId} of the event's owner` });
    return;
  }
  if (eventId === undefined) return;
  if (await eventActionsLeadTo(db, targetId, eventId))
    problems.push({
      pointer: at,
      message: `event ${targetId} leads back to this event through its actions: runs would start each other forever`,
    });
}

/**
 * Replaces an event's actions (in the caller's transaction), in the order given. Rows are
 * updated in place by position, so an action already due for a finished run (the outbox
 * refers to it) is still sent after an edit; only the actions removed are dropped.
 */
export async function writeEventActions(
  trx: Db,
  eventId: number,
  actions: EventAction[],
): Promise<void> {
  await trx
    .deleteFrom('event_actions')
    .where('event_id', '=', eventId)
    .where('position', '>=', actions.length)
    .execute();
  if (actions.length === 0) return;
  await trx
    .insertInto('event_actions')
    .values(
      actions.map((action, position) => ({
        event_id: eventId,
        position,
        on_outcome: action.on,
        tool_credential_id: action.tool?.credentialId ?? null,
        tool_params: action.tool ? JSON.stringify(action.tool.params) : null,
        target_event_id: action.event?.id ?? null,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['event_id', 'position']).doUpdateSet((eb) => ({
        on_outcome: eb.ref('excluded.on_outcome'),
        tool_credential_id: eb.ref('excluded.tool_credential_id'),
        tool_params: eb.ref('excluded.tool_params'),
        target_event_id: eb.ref('excluded.target_event_id'),
      })),
    )
    .execute();
}

export async function readEventActions(db: Db, eventId: number): Promise<EventAction[]> {
  const rows = await db
    .selectFrom('event_actions')
    .select(['on_outcome', 'tool_credential_id', 'tool_params', 'target_event_id'])
    .where('event_id', '=', eventId)
    .orderBy('position')
    .execute();
  return rows.map((row) =>
    row.target_event_id !== null
      ? { on: row.on_outcome, event: { id: Number(row.target_event_id) } }
      : {
          on: row.on_outcome,
          tool: {
            credentialId: Number(row.tool_credential_id),
            params: row.tool_params as Record<string, unknown>,
          },
        },
  );
}
