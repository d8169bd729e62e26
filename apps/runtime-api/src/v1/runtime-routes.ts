import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RunTokenClaims } from '@cronium/auth';
import type { SecretBox } from '@cronium/crypto';
import type { EgressPolicy } from '@cronium/egress';
import { writeVariable, type Db } from '@cronium/db';
import {
  lockLiveAttempt,
  readLiveRunContext,
  readLiveRunField,
  readLiveVariable,
  setLiveRunField,
  type LiveAttemptRef,
} from '@cronium/run-queue';
import { AppError, jsonProblem } from '@cronium/service-kit';
import { VerifiedTokens, attemptGone, authenticateRun } from './run-authenticator.ts';
/** Any limiter: 0 when a call may go ahead, or seconds to wait. */
export interface CallLimiter {
  take(key: string): number | Promise<number>;
}
import {
  Accepted,
  ConditionBody,
  ConditionResponse,
  EventContextResponse,
  InputResponse,
  OutputBody,
  VariableBody,
  VariableParams,
  VariableResponse,
  ToolActionBody,
  ToolActionResponse,
} from './schemas.ts';
import { executeToolAction } from './tool-actions.ts';

export interface RuntimeRoutesOptions {
  db: Db;
  box: SecretBox;
  /** The run-token secrets accepted: the current one, then the previous during a rotation. */
  jwtSecrets: readonly string[];
  limiter: CallLimiter;
  /** executeToolAction: the egress policy and its own, slower, per-attempt limit. */
  tools: { egress: EgressPolicy; limiter: CallLimiter };
}

declare module 'fastify' {
  interface FastifyRequest {
    run?: RunTokenClaims;
  }
}

/** The calling attempt, as the token names it; each statement checks it is still live. */
function caller(request: FastifyRequest): RunTokenClaims & LiveAttemptRef {
  if (!request.run) throw new AppError('UNAUTHENTICATED', 'no run token');
  return { ...request.run, ownerId: request.run.userId };
}

/**
 * The runtime API a running script calls (through the SDKs): its input, output, condition,
 * its user's variables and its context. The run is the token's: no path names a run. Each
 * call is one statement that both checks the attempt is live and does the work.
 */
export async function registerRuntimeRoutes(
  app: FastifyInstance,
  options: RuntimeRoutesOptions,
): Promise<void> {
  const { db, box, limiter } = options;
  const verified = new VerifiedTokens();
  await app.register(
    async (v1) => {
      // JSON only: anything else is 415, not a string that fails validation later.
      v1.removeContentTypeParser('text/plain');
      v1.addHook('onRequest', async (request, reply) => {
        request.run = authenticateRun(options.jwtSecrets, request, verified);
        const wait = await limiter.take(`${request.run.runId}:${request.run.attempt}`);
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          throw new AppError('RATE_LIMITED', `too many calls from this run; retry in ${wait} s`, {
            headers: { 'retry-after': String(wait) },
          });
        }
      });

      v1.get('/input', { schema: { response: { 200: InputResponse } } }, async (request) => {
        const found = await readLiveRunField(db, caller(request), 'input');
        if (!found) throw attemptGone();
        return { input: found.value };
      });

      v1.put<{ Body: OutputBody }>(
        '/output',
        { schema: { body: OutputBody, response: { 200: Accepted } } },
        async (request) => {
          if (request.body.output === undefined)
            throw new AppError('VALIDATION_FAILED', 'output is required');
          const problem = jsonProblem(request.body.output);
          if (problem)
            throw new AppError('VALIDATION_FAILED', `output: ${problem.message}`, {
              errors: [{ pointer: `/body/output${problem.pointer}`, message: problem.message }],
            });
          if (!(await setLiveRunField(db, caller(request), { output: request.body.output })))
            throw attemptGone();
          return { ok: true as const };
        },
      );

      v1.get(
        '/condition',
        { schema: { response: { 200: ConditionResponse } } },
        async (request) => {
          const found = await readLiveRunField(db, caller(request), 'condition');
          if (!found) throw attemptGone();
          return { condition: found.value as boolean | null };
        },
      );

      v1.put<{ Body: ConditionBody }>(
        '/condition',
        { schema: { body: ConditionBody, response: { 200: Accepted } } },
        async (request) => {
          if (!(await setLiveRunField(db, caller(request), { condition: request.body.condition })))
            throw attemptGone();
          return { ok: true as const };
        },
      );

      v1.get<{ Params: VariableParams }>(
        '/variables/:key',
        { schema: { params: VariableParams, response: { 200: VariableResponse } } },
        async (request) => {
          const found = await readLiveVariable(db, box, caller(request), request.params.key);
          if (!found) throw attemptGone();
          if (!found.found)
            throw new AppError('NOT_FOUND', `no variable named ${request.params.key}`);
          return { key: request.params.key, value: found.value };
        },
      );

      v1.put<{ Params: VariableParams; Body: VariableBody }>(
        '/variables/:key',
        { schema: { params: VariableParams, body: VariableBody, response: { 200: Accepted } } },
        async (request) => {
          const run = caller(request);
          if (request.body.value.includes('\0'))
            throw new AppError('VALIDATION_FAILED', 'a variable cannot hold NUL characters');
          const written = await writeVariable(db, box, {
            ownerId: run.ownerId,
            key: request.params.key,
            value: request.body.value,
            actor: {
              actor_kind: 'run',
              actor_id: run.ownerId,
              actor_ref: `run:${run.runId}:${run.attempt}`,
            },
            guard: (trx) => lockLiveAttempt(trx, run),
          });
          if (!written) throw attemptGone();
          if ('refused' in written)
            throw new AppError(
              'UNPROCESSABLE',
              `${request.params.key} is secret: ${written.refused}`,
              {
                errors: [{ pointer: '/body/value', message: written.refused }],
              },
            );
          return { ok: true as const };
        },
      );

      v1.post<{ Body: ToolActionBody }>(
        '/tool-actions',
        { schema: { body: ToolActionBody, response: { 200: ToolActionResponse } } },
        async (request) =>
          executeToolAction(
            { db, box, egress: options.tools.egress, limiter: options.tools.limiter },
            caller(request),
            request.body,
          ),
      );

      v1.get(
        '/context',
        { schema: { response: { 200: EventContextResponse } } },
        async (request) => {
          const run = caller(request);
          const context = await readLiveRunContext(db, run, run.serverId ?? null);
          if (!context) throw attemptGone();
          return context;
        },
      );
    },
    { prefix: '/v1' },
  );
}
