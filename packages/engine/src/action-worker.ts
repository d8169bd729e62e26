import type { ToolKind } from '@cronium/contracts';
import { listPlainVariables, type Db } from '@cronium/db';
import type { DestinationCheck } from '@cronium/egress';
import type { Logger } from '@cronium/logger';
import {
  claimRunActions,
  claimToolNodes,
  finishRunAction,
  finishToolNode,
  lastRunLogLines,
  startActionEvent,
  sweepRunActionLeases,
  type ClaimedRunAction,
  type ClaimedToolNode,
} from '@cronium/run-queue';
import { sendToolAction, type ToolAction, type ToolContext } from '@cronium/tools';
import { WakeSignal } from './wake-signal.ts';

/** Tries of one action before it is failed for good (retryable failures only). */
export const MAX_ACTION_TRIES = 5;
/** Log lines a template's `logs` holds: the run's last ones. */
export const ACTION_LOG_LINES = 20;

export interface ActionWorkerOptions {
  db: Db;
  logger: Logger;
  owner: string;
  /** Actions sent at once. */
  concurrency: number;
  leaseMs: number;
  pollMs: number;
  /** The egress check for the action's run (the event owner's policy as it is now). */
  egressFor: (run: {
    runId: number;
    attempt: number;
    eventId: number;
  }) => Promise<DestinationCheck>;
  /** The egress check for a workflow's tool node (its workflow run owner's policy). */
  egressForNode: (node: {
    ownerId: number;
    workflowRunId: number;
    nodeName: string;
  }) => Promise<DestinationCheck> | DestinationCheck;
  /** One of the owner's credentials, decrypted; undefined when it is gone. */
  credentialFor: (
    ownerId: number,
    credentialId: number,
  ) => Promise<{ kind: ToolKind; config: unknown } | undefined>;
}

/**
 * Sends the conditional actions of finished runs (the outbox rows `finishRuns` wrote with
 * each outcome) and the tool nodes of workflow runs (started in the commit that made them
 * ready). Any orchestrator may send any action: it claims a few with a lease, sends
 * them, and records the end against that lease. Retryable failures (429, 5xx, network) are
 * tried again with backoff, no sooner than the service's Retry-After, up to
 * MAX_ACTION_TRIES; an action whose orchestrator died is taken back when its lease runs out.
 * An action that starts another event creates that run in the transaction that records the
 * action done, so the run exists exactly once.
 */
export class ActionWorker {
  readonly #o: ActionWorkerOptions;
  readonly #wake = new WakeSignal();
  readonly #inFlight = new Set<Promise<void>>();
  #loop: Promise<void> | undefined;
  #stopping = false;
  #sweep: NodeJS.Timeout | undefined;

  constructor(options: ActionWorkerOptions) {
    this.#o = options;
  }

  start(): void {
    this.#loop = this.#claimLoop();
    this.#sweep = setInterval(() => void this.#sweepLeases(), Math.max(1_000, this.#o.leaseMs));
  }

  /** Actions were queued (a run with actions ended here): claim now, not at the next poll. */
  wake(): void {
    this.#wake.wake();
  }

  /** Stops claiming and waits for the actions being sent (their sends are bounded). */
  async stop(): Promise<void> {
    this.#stopping = true;
    clearInterval(this.#sweep);
    this.#wake.wake();
    await this.#loop;
    await Promise.allSettled(this.#inFlight);
  }

  async #claimLoop(): Promise<void> {
    while (!this.#stopping) {
      const room = this.#o.concurrency - this.#inFlight.size;
      let claimed: ClaimedRunAction[] = [];
      if (room > 0)
        claimed = await claimRunActions(this.#o.db, {
          owner: this.#o.owner,
          limit: room,
          leaseMs: this.#o.leaseMs,
        }).catch((error: unknown) => {
          this.#o.logger.warn({ err: error }, 'claiming actions failed');
          return [];
        });
      let nodes: ClaimedToolNode[] = [];
      if (room - claimed.length > 0)
        nodes = await claimToolNodes(this.#o.db, {
          owner: this.#o.owner,
          limit: room - claimed.length,
          leaseMs: this.#o.leaseMs,
        }).catch((error: unknown) => {
          this.#o.logger.warn({ err: error }, 'claiming tool nodes failed');
          return [];
        });
      for (const sending of [
        ...claimed.map((action) => this.#send(action)),
        ...nodes.map((node) => this.#sendNode(node)),
      ]) {
        const tracked = sending.finally(() => {
          this.#inFlight.delete(tracked);
          this.#wake.wake();
        });
        this.#inFlight.add(tracked);
      }
      const got = claimed.length + nodes.length;
      if (got === 0 || got === room) await this.#wake.sleep(this.#o.pollMs);
    }
  }

  async #send(action: ClaimedRunAction): Promise<void> {
    const log = this.#o.logger.child({ runId: action.runId, actionId: action.actionId });
    const fence = { runId: action.runId, actionId: action.actionId, owner: this.#o.owner };
    try {
      if (action.action.kind === 'event') {
        const started = await startActionEvent(this.#o.db, fence, {
          targetEventId: action.action.eventId,
          sourceEventId: action.run.eventId,
          ownerId: action.run.ownerId,
          input: action.run.output ?? null,
        });
        log.info({ ...started, targetEventId: action.action.eventId }, 'action started an event');
        return;
      }
      const tool = action.action;
      const credential = await this.#o.credentialFor(action.run.ownerId, tool.credentialId);
      if (!credential) {
        await finishRunAction(this.#o.db, fence, {
          status: 'failed',
          error: 'its tool credential is gone',
        });
        return;
      }
      const result = await sendToolAction({
        ...({
          kind: credential.kind,
          credential: credential.config,
          params: tool.params,
        } as ToolAction),
        context: await this.#context(action),
        egress: await this.#o.egressFor({
          runId: action.runId,
          attempt: action.run.attempt,
          eventId: action.run.eventId,
        }),
        signal: AbortSignal.timeout(this.#o.leaseMs),
        timeoutMs: Math.min(30_000, this.#o.leaseMs),
      });
      const summary = {
        kind: credential.kind,
        ...(result.status ? { status: result.status } : {}),
      };
      if (result.ok)
        await finishRunAction(this.#o.db, fence, {
          status: 'succeeded',
          result: { ...summary, detail: result.detail },
        });
      else if (result.retryable && action.tries < MAX_ACTION_TRIES) {
        const backoffMs = 2 ** action.tries * 1_000;
        await finishRunAction(this.#o.db, fence, {
          status: 'retry',
          error: result.error,
          retryAt: new Date(Date.now() + Math.max(backoffMs, result.retryAfterMs ?? 0)),
        });
      } else
        await finishRunAction(this.#o.db, fence, {
          status: 'failed',
          error: result.error,
          result: summary,
        });
      log.info({ ok: result.ok, tries: action.tries }, 'action sent');
    } catch (error) {
      // The database or a decryption failed: the lease runs out and the action is due again.
      log.error({ err: error }, 'sending an action failed');
    }
  }

  /**
   * Sends a workflow's tool node and records its end, which moves the workflow run on: the
   * node succeeds with what the tool answered as its output, or fails with the reason.
   * Retryable failures are tried again as an event's actions are.
   */
  async #sendNode(node: ClaimedToolNode): Promise<void> {
    const log = this.#o.logger.child({ workflowRunId: node.workflowRunId, node: node.nodeName });
    const fence = {
      workflowRunId: node.workflowRunId,
      nodeId: node.nodeId,
      owner: this.#o.owner,
      tries: node.tries,
    };
    try {
      if (node.tries > MAX_ACTION_TRIES) {
        // Claimed again and again by orchestrators that died sending it.
        await finishToolNode(this.#o.db, fence, {
          status: 'failed',
          output: null,
          error: `not sent after ${MAX_ACTION_TRIES} tries`,
        });
        return;
      }
      const credential = await this.#o.credentialFor(node.ownerId, node.credentialId);
      if (!credential) {
        await finishToolNode(this.#o.db, fence, {
          status: 'failed',
          output: null,
          error: 'its tool credential is gone',
        });
        return;
      }
      const result = await sendToolAction({
        ...({
          kind: credential.kind,
          credential: credential.config,
          params: node.params,
        } as ToolAction),
        context: {
          event: null,
          run: null,
          workflow: {
            id: node.workflowId,
            runId: node.workflowRunId,
            node: node.nodeName,
            input: node.workflowInput ?? null,
          },
          output: null,
          condition: null,
          input: node.input ?? null,
          logs: [],
          variables: await listPlainVariables(this.#o.db, node.ownerId),
        },
        egress: await this.#o.egressForNode(node),
        signal: AbortSignal.timeout(this.#o.leaseMs),
        timeoutMs: Math.min(30_000, this.#o.leaseMs),
      });
      const answer = {
        kind: credential.kind,
        ...(result.status ? { status: result.status } : {}),
        ...(result.ok ? { detail: result.detail ?? null } : {}),
      };
      const recorded = result.ok
        ? await finishToolNode(this.#o.db, fence, {
            status: 'succeeded',
            output: answer,
            error: null,
          })
        : result.retryable && node.tries < MAX_ACTION_TRIES
          ? await finishToolNode(this.#o.db, fence, {
              status: 'retry',
              error: result.error,
              retryAt: new Date(
                Date.now() + Math.max(2 ** node.tries * 1_000, result.retryAfterMs ?? 0),
              ),
            })
          : await finishToolNode(this.#o.db, fence, {
              status: 'failed',
              output: answer,
              error: result.error,
            });
      log.info({ ok: result.ok, tries: node.tries, recorded }, 'tool node sent');
    } catch (error) {
      // The database or a decryption failed: the lease runs out and the node is due again.
      log.error({ err: error }, 'sending a tool node failed');
    }
  }

  /** What the action's templates read: the run as it ended, its last log lines. */
  async #context(action: ClaimedRunAction): Promise<ToolContext> {
    const run = action.run;
    return {
      event: { id: run.eventId, name: run.eventName, type: run.eventType },
      run: {
        id: run.id,
        status: run.status,
        attempt: run.attempt,
        durationMs: run.durationMs,
        exitCode: run.exitCode,
        error: run.error,
        startedAt: run.startedAt?.toISOString() ?? null,
        finishedAt: run.finishedAt?.toISOString() ?? null,
      },
      workflow: null,
      output: run.output ?? null,
      condition: run.condition,
      input: run.input ?? null,
      logs: await lastRunLogLines(this.#o.db, run.id, ACTION_LOG_LINES),
      variables: await listPlainVariables(this.#o.db, run.ownerId),
    };
  }

  async #sweepLeases(): Promise<void> {
    try {
      const taken = await sweepRunActionLeases(this.#o.db);
      if (taken > 0) {
        this.#o.logger.warn(
          { actions: taken },
          'actions whose orchestrator stopped were taken back',
        );
        this.wake();
      }
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'action lease sweep failed');
    }
  }
}
