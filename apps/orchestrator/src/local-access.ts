import { localAccessRefusal, type Db, type LocalAccess } from '@cronium/db';
import type {
  ExecutionContext,
  ExecutionRequest,
  ExecutionResult,
  Executor,
} from '@cronium/executors';

/**
 * The local target behind the "who may run local scripts" rule (ORCHESTRATOR_LOCAL), checked
 * again when each run starts: the API refuses such an event when it is saved, but its owner
 * may have lost the right since (an admin demoted), or the setting changed.
 */
export class LocalAccessGuard implements Executor {
  readonly kind = 'local';
  readonly #db: Db;
  readonly #access: LocalAccess;
  readonly #local: Executor | undefined;

  constructor(options: { db: Db; access: LocalAccess; local?: Executor }) {
    this.#db = options.db;
    this.#access = options.access;
    this.#local = options.local;
  }

  async run(request: ExecutionRequest, context: ExecutionContext): Promise<ExecutionResult> {
    const owner =
      request.ownerId === undefined
        ? undefined
        : await this.#db
            .selectFrom('users')
            .select('role')
            .where('id', '=', request.ownerId)
            .executeTakeFirst();
    const refusal = owner
      ? localAccessRefusal(this.#access, owner.role)
      : 'the owner of this event no longer exists';
    if (refusal || !this.#local)
      return { status: 'failed', exitCode: null, error: refusal ?? 'local scripts are off' };
    return this.#local.run(request, context);
  }
}
