import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SecretBox } from '@cronium/crypto';
import {
  findServerById,
  readRunCondition,
  readRunContext,
  readRunInput,
  readVariable,
  setRunResultField,
  writeVariable,
  type Db,
} from '@cronium/db';
import { AppError } from '@cronium/service-kit';
import { authenticateRun, type RunCaller } from './run-authenticator.ts';
import type { RateLimiter } from './rate-limiter.ts';
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
} from './schemas.ts';

export interface RuntimeRoutesOptions {
  db: Db;
  box: SecretBox;
  jwtSecret: string;
  limiter: RateLimiter;
}

declare module 'fastify' {
  interface FastifyRequest {
    run?: RunCaller;
  }
}

function caller(request: FastifyRequest): RunCaller {
  if (!request.run) throw new AppError('UNAUTHENTICATED', 'no run token');
  return request.run;
}

const gone = () =>
  new AppError('FORBIDDEN', 'this run attempt is no longer running; its token is void');

/**
 * The runtime API a running script calls (through the SDKs): its input, output, condition,
 * its user's variables and its context. The run is the token's: no path names a run.
 */
export async function registerRuntimeRoutes(
  app: FastifyInstance,
  options: RuntimeRoutesOptions,
): Promise<void> {
  const { db, box, limiter } = options;
  await app.register(
    async (v1) => {
      // JSON only: anything else is 415, not a string that fails validation later.
      v1.removeContentTypeParser('text/plain');
      v1.addHook('onRequest', async (request, reply) => {
        request.run = await authenticateRun(db, options.jwtSecret, request);
        const wait = limiter.take(`${request.run.runId}:${request.run.attempt}`);
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          throw new AppError('RATE_LIMITED', `too many calls from this run; retry in ${wait} s`, {
            headers: { 'retry-after': String(wait) },
          });
        }
      });

      v1.get('/input', { schema: { response: { 200: InputResponse } } }, async (request) => ({
        input: await readRunInput(db, caller(request).runId),
      }));

      v1.put<{ Body: OutputBody }>(
        '/output',
        { schema: { body: OutputBody, response: { 200: Accepted } } },
        async (request) => {
          if (request.body.output === undefined)
            throw new AppError('VALIDATION_FAILED', 'output is required');
          if (!(await setRunResultField(db, caller(request), { output: request.body.output })))
            throw gone();
          return { ok: true as const };
        },
      );

      v1.get(
        '/condition',
        { schema: { response: { 200: ConditionResponse } } },
        async (request) => ({
          condition: await readRunCondition(db, caller(request).runId),
        }),
      );

      v1.put<{ Body: ConditionBody }>(
        '/condition',
        { schema: { body: ConditionBody, response: { 200: Accepted } } },
        async (request) => {
          const run = caller(request);
          if (!(await setRunResultField(db, run, { condition: request.body.condition })))
            throw gone();
          return { ok: true as const };
        },
      );

      v1.get<{ Params: VariableParams }>(
        '/variables/:key',
        { schema: { params: VariableParams, response: { 200: VariableResponse } } },
        async (request) => {
          const found = await readVariable(db, box, caller(request).ownerId, request.params.key);
          if (!found) throw new AppError('NOT_FOUND', `no variable named ${request.params.key}`);
          return { key: request.params.key, value: found.value };
        },
      );

      v1.put<{ Params: VariableParams; Body: VariableBody }>(
        '/variables/:key',
        { schema: { params: VariableParams, body: VariableBody, response: { 200: Accepted } } },
        async (request) => {
          const run = caller(request);
          await writeVariable(db, box, {
            ownerId: run.ownerId,
            key: request.params.key,
            value: request.body.value,
            actor: { kind: 'run', ref: `run:${run.runId}:${run.attempt}` },
          });
          return { ok: true as const };
        },
      );

      v1.get(
        '/context',
        { schema: { response: { 200: EventContextResponse } } },
        async (request) => {
          const run = caller(request);
          const context = await readRunContext(db, run.runId);
          if (!context) throw gone();
          const server =
            run.serverId === undefined ? undefined : await findServerById(db, run.serverId);
          return {
            ...context,
            server: server ? { id: server.id, name: server.name, host: server.host } : null,
          };
        },
      );
    },
    { prefix: '/v1' },
  );
}
