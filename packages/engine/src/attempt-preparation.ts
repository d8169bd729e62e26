import { signRunToken } from '@cronium/auth';
import { listPlainVariables } from '@cronium/db';
import type { SecretMasker } from '@cronium/log-masking';
import type { ExecutionRequest, RuntimeAccess, SshServer } from '@cronium/executors';
import type { ClaimedRun } from '@cronium/run-queue';
import type { RunWorkerOptions } from './run-worker-options.ts';

/**
 * Everything one attempt of a claimed run needs before its executor starts, prepared in one
 * place: the event's secret environment decrypted (once), the SSH servers with their
 * credentials, the script environment, the runtime API access, and every secret the attempt
 * could print registered with its log masker (secret environment values, the owner's secret
 * variables, server credentials, and each token as it is minted). Throws when something
 * cannot be opened (a key that does not match); the worker fails the attempt with the reason.
 */
export async function prepareAttempt(
  run: ClaimedRun,
  options: Pick<
    RunWorkerOptions,
    | 'runtime'
    | 'serversFor'
    | 'environmentFor'
    | 'openSecretEnv'
    | 'secretsFor'
    | 'toolCredentialFor'
  > &
    Partial<Pick<RunWorkerOptions, 'db'>>,
  masker: SecretMasker,
): Promise<ExecutionRequest> {
  const secretEnv = openSecretEnv(run, options);
  for (const value of Object.values(secretEnv)) masker.add(value);
  const servers =
    run.event.targetKind === 'ssh' && options.serversFor
      ? await options.serversFor(run)
      : undefined;
  for (const secret of (await options.secretsFor?.(run, servers ?? [])) ?? []) masker.add(secret);
  for (const server of servers ?? [])
    for (const credential of serverCredentials(server)) masker.add(credential);
  const runtime = runtimeAccess(run, options.runtime, masker);
  const tool = run.event.type === 'tool' ? await toolAction(run, options, masker) : null;
  return {
    tool,
    context: {
      eventName: run.event.name,
      input: run.input,
      // Only a tool event's templates read them.
      variables: tool && options.db ? await listPlainVariables(options.db, run.event.ownerId) : {},
    },
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
    env: options.environmentFor(run, secretEnv),
    image: run.event.image,
    sandbox: {
      memoryMb: run.event.memoryMb,
      cpuMillis: run.event.cpuMillis,
      pids: run.event.pidsLimit,
      network: run.event.networkEnabled,
    },
  };
}

function openSecretEnv(
  run: ClaimedRun,
  options: Pick<RunWorkerOptions, 'openSecretEnv'>,
): Record<string, string> {
  if (run.event.secretEnvEncrypted === null) return {};
  if (!options.openSecretEnv)
    throw new Error('this orchestrator has no key to open the secret environment');
  return options.openSecretEnv(run);
}

function serverCredentials(server: SshServer): string[] {
  return server.auth.method === 'password'
    ? [server.auth.password]
    : [server.auth.privateKey, ...(server.auth.passphrase ? [server.auth.passphrase] : [])];
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

/**
 * A tool event's action with its owner's credential decrypted; its secrets (password, bot
 * token, signing secret, webhook URLs, which carry their token, and header values) are masked
 * in the attempt's log.
 */
async function toolAction(
  run: ClaimedRun,
  options: Pick<RunWorkerOptions, 'toolCredentialFor'>,
  masker: SecretMasker,
): Promise<ExecutionRequest['tool']> {
  const stored =
    run.event.toolCredentialId !== null && options.toolCredentialFor
      ? await options.toolCredentialFor(run)
      : undefined;
  if (!stored || !run.event.toolAction)
    throw new Error('its tool credential is gone (deleted, or this orchestrator cannot read it)');
  for (const secret of credentialSecrets(stored.config)) masker.add(secret);
  return { kind: stored.kind, credential: stored.config, params: run.event.toolAction.params };
}

/** The fields of a tool credential that are secret (the rest: host, port, sender, method). */
const SECRET_FIELDS = ['password', 'botToken', 'signingSecret', 'webhookUrl', 'url'];

function credentialSecrets(config: unknown): string[] {
  if (!config || typeof config !== 'object') return [];
  const fields = config as Record<string, unknown>;
  const headers = (fields.headers ?? {}) as Record<string, unknown>;
  return [...SECRET_FIELDS.map((name) => fields[name]), ...Object.values(headers)].filter(
    (value): value is string => typeof value === 'string' && value.length >= 6,
  );
}
