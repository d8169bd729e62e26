import type { SecretBox } from '@cronium/crypto';
import { readToolCredentialConfigByName, recordAudit, type Db } from '@cronium/db';
import { checkedLookup, type EgressPolicy } from '@cronium/egress';
import { readLiveRunContext, type LiveAttemptRef } from '@cronium/run-queue';
import { AppError } from '@cronium/service-kit';
import {
  sendToolAction,
  validateToolParams,
  type ToolAction,
  type ToolResult,
} from '@cronium/tools';
import type { RunTokenClaims } from '@cronium/auth';
import { attemptGone } from './run-authenticator.ts';
import type { CallLimiter } from './runtime-routes.ts';
import type { ToolActionBody } from './schemas.ts';

/** How long one action may take in all (under the SDKs' 30 s per call). */
export const TOOL_ACTION_TIMEOUT_MS = 20_000;

export interface ToolActionOptions {
  db: Db;
  box: SecretBox;
  egress: EgressPolicy;
  /** Actions per run attempt (a slower bucket than the API's own). */
  limiter: CallLimiter;
}

/**
 * `executeToolAction(tool, params)` of a running script: sends an action with one of its
 * run owner's credentials (by name; another user's is not found), under the owner's egress
 * policy, rate-limited per attempt and audited. The answer is the tool's result, the same
 * shape in every SDK; a failure to send is an answer too, not an HTTP error.
 */
export async function executeToolAction(
  options: ToolActionOptions,
  run: RunTokenClaims & LiveAttemptRef,
  body: ToolActionBody,
): Promise<ToolResult> {
  const { db, box } = options;
  const wait = await options.limiter.take(`${run.runId}:${run.attempt}`);
  if (wait > 0)
    throw new AppError('RATE_LIMITED', `too many tool actions from this run; retry in ${wait} s`, {
      headers: { 'retry-after': String(wait) },
    });
  const context = await readLiveRunContext(db, run, run.serverId ?? null);
  if (!context) throw attemptGone();
  const credential = await readToolCredentialConfigByName(db, box, run.ownerId, body.tool);
  if (!credential)
    throw new AppError('NOT_FOUND', `no tool credential named ${body.tool}`, {
      errors: [{ pointer: '/body/tool', message: 'not one of your tool credentials' }],
    });
  const params = validateToolParams(credential.kind, body.params, {
    pointerPrefix: '/body/params',
  });
  if (!params.ok)
    throw new AppError('VALIDATION_FAILED', `params that a ${credential.kind} action cannot use`, {
      errors: params.errors,
    });
  const owner = await db
    .selectFrom('users')
    .select('role')
    .where('id', '=', run.ownerId)
    .executeTakeFirstOrThrow();
  const actor = {
    actor_kind: 'run' as const,
    actor_id: run.ownerId,
    actor_ref: `run:${run.runId}:${run.attempt}`,
    ip: null,
    user_agent: null,
  };
  const destination = checkedLookup(options.egress, { admin: owner.role === 'admin' }, (refusal) =>
    recordAudit(db, {
      ...actor,
      action: 'egress.refused',
      target_type: 'tool_credential',
      target_id: String(credential.id),
      details: { host: refusal.host, address: refusal.address, reason: refusal.reason },
    }).then(() => undefined),
  );
  const result = await sendToolAction({
    ...({
      kind: credential.kind,
      credential: credential.config,
      params: params.value,
    } as ToolAction),
    context: {
      event: { id: context.event.id, name: context.event.name, type: context.event.type },
      run: {
        id: run.runId,
        status: 'running',
        attempt: run.attempt,
        durationMs: null,
        exitCode: null,
        error: null,
        startedAt: null,
        finishedAt: null,
      },
      workflow: context.workflow ?? null,
      output: null,
      condition: null,
      input: null,
      logs: [],
      variables: {},
    },
    egress: destination,
    signal: AbortSignal.timeout(TOOL_ACTION_TIMEOUT_MS),
    timeoutMs: TOOL_ACTION_TIMEOUT_MS / 2,
  });
  await recordAudit(db, {
    ...actor,
    action: 'tool_action.execute',
    target_type: 'tool_credential',
    target_id: String(credential.id),
    details: {
      kind: credential.kind,
      ok: result.ok,
      ...(result.status ? { status: result.status } : {}),
    },
  });
  return result;
}
