import { signRunToken } from '@cronium/auth';
import type { SecretMasker } from '@cronium/log-masking';
import type { ExecutionRequest, RuntimeAccess } from '@cronium/executors';
import type { ClaimedRun } from '@cronium/run-queue';
import type { RunWorkerOptions } from './run-worker.ts';

/** What an executor is given for one attempt of a claimed run. */
export async function executionRequest(
  run: ClaimedRun,
  options: Pick<RunWorkerOptions, 'runtime' | 'serversFor' | 'environmentFor'>,
  masker: SecretMasker,
): Promise<ExecutionRequest> {
  const runtime = runtimeAccess(run, options.runtime, masker);
  const servers =
    run.event.targetKind === 'ssh' && options.serversFor
      ? await options.serversFor(run)
      : undefined;
  return {
    ...(servers ? { servers } : {}),
    ...(runtime ? { runtime } : {}),
    runId: run.runId,
    attempt: run.attempt,
    eventId: run.event.id,
    ownerId: run.event.ownerId,
    type: run.event.type,
    script: run.event.script,
    http:
      run.event.httpMethod && run.event.httpUrl
        ? {
            method: run.event.httpMethod,
            url: run.event.httpUrl,
            headers: run.event.httpHeaders,
            body: run.event.httpBody,
          }
        : null,
    env: options.environmentFor(run),
    image: run.event.image,
    sandbox: {
      memoryMb: run.event.memoryMb,
      cpuMillis: run.event.cpuMillis,
      pids: run.event.pidsLimit,
      network: run.event.networkEnabled,
    },
  };
}

/** The attempt's tokens are minted on demand (one per SSH server) and masked in its log. */
function runtimeAccess(
  run: ClaimedRun,
  runtime: RunWorkerOptions['runtime'],
  masker: SecretMasker,
): RuntimeAccess | undefined {
  if (!runtime) return undefined;
  const minted = new Map<number | undefined, string>();
  return {
    apiUrl: runtime.apiUrl,
    socketPath: runtime.socketPath,
    token: (serverId?: number) => {
      let token = minted.get(serverId);
      if (!token) {
        token = signRunToken(
          runtime.jwtSecret,
          {
            runId: run.runId,
            attempt: run.attempt,
            eventId: run.event.id,
            userId: run.event.ownerId,
            ...(serverId === undefined ? {} : { serverId }),
          },
          run.event.timeoutSeconds,
        );
        minted.set(serverId, token);
        masker.add(token);
      }
      return token;
    },
  };
}
