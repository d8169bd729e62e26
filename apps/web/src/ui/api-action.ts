import { notifyDone, notifyError } from './components.tsx';

/**
 * A user's action through the API (cancel, pause, delete, revoke), told as a notification:
 * `done` when it worked, `failed` with the API's problem when not. Resolves whether it worked,
 * so the caller can move on only after a success (leave a deleted thing's page) and reload
 * either way.
 */
export async function apiAction(
  call: () => Promise<unknown>,
  messages: { done: string; failed: string },
): Promise<boolean> {
  try {
    await call();
    notifyDone(messages.done);
    return true;
  } catch (problem) {
    notifyError(messages.failed, problem);
    return false;
  }
}
