import { findToolCredential, type Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';
import { validateToolParams } from '@cronium/tools';
import type { EventInput } from './event-input.ts';

/**
 * A tool event's action must use one of its owner's own credentials, with params that fit
 * that credential's kind and templates that parse (checked when the event is saved, so a
 * broken template is a 422 with its line and column, not a failed run at 3 a.m.).
 */
export async function checkToolAction(
  db: Db,
  ownerId: number,
  tool: EventInput['tool'],
): Promise<void> {
  if (!tool) return;
  const credential = await findToolCredential(db, ownerId, tool.credentialId);
  const refuse = (errors: { pointer: string; message: string }[]) => {
    throw new AppError('UNPROCESSABLE', 'the event cannot be saved as it is', { errors });
  };
  if (!credential)
    refuse([
      {
        pointer: '/body/tool/credentialId',
        message: `no tool credential ${tool.credentialId} of the event's owner`,
      },
    ]);
  const checked = validateToolParams(credential!.kind, tool.params);
  if (!checked.ok)
    refuse(
      checked.errors.map((e) => ({ pointer: `/body/tool/params${e.pointer}`, message: e.message })),
    );
}
