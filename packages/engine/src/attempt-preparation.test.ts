import { SecretMasker } from '@cronium/log-masking';
import type { SshServer } from '@cronium/executors';
import type { ClaimedRun } from '@cronium/run-queue';
import { prepareAttempt } from './attempt-preparation.ts';

function claimed(event: Partial<ClaimedRun['event']>): ClaimedRun {
  return {
    runId: 7,
    attempt: 1,
    maxAttempts: 1,
    owner: 'test',
    trigger: 'manual',
    input: null,
    scheduledFor: null,
    workflowRunId: null,
    queueWaitMs: 0,
    logBytes: 0,
    logSeq: 0,
    event: {
      id: 3,
      ownerId: 5,
      name: 'e',
      type: 'bash',
      tags: [],
      script: 'true',
      httpMethod: null,
      httpUrl: null,
      httpHeaders: {},
      httpBody: null,
      targetKind: 'ssh',
      image: null,
      timeoutSeconds: 60,
      env: { PLAIN: 'visible' },
      secretEnvEncrypted: 'sealed',
      memoryMb: null,
      cpuMillis: null,
      pidsLimit: null,
      networkEnabled: false,
      ...event,
    },
  } as ClaimedRun;
}

const server = {
  id: 1,
  host: '127.0.0.1',
  port: 22,
  username: 'u',
  auth: { method: 'password', password: 'server-pass-word' },
} as unknown as SshServer;

describe('preparing an attempt', () => {
  it('opens the secret environment once, gives it to the script and masks every secret', async () => {
    let opened = 0;
    const masker = new SecretMasker();
    const request = await prepareAttempt(
      claimed({}),
      {
        openSecretEnv: () => {
          opened += 1;
          return { API_KEY: 'secret-env-value' };
        },
        environmentFor: (run, secretEnv) => ({ ...run.event.env, ...secretEnv }),
        serversFor: async () => [server],
        secretsFor: async () => ['owner-variable-value'],
        runtime: { apiUrl: 'http://127.0.0.1:1', socketPath: null, jwtSecret: 'j'.repeat(40) },
      },
      masker,
    );
    expect(opened).toBe(1);
    expect(request.env).toEqual({ PLAIN: 'visible', API_KEY: 'secret-env-value' });
    expect(request.servers).toEqual([server]);
    const token = request.runtime!.token(1);
    const line = `secret-env-value owner-variable-value server-pass-word ${token} visible`;
    expect(masker.maskLine(line)).toBe('*** *** *** *** visible');
  });

  it('refuses an event with a secret environment when there is no key to open it', async () => {
    await expect(
      prepareAttempt(claimed({}), { environmentFor: () => ({}) }, new SecretMasker()),
    ).rejects.toThrow('no key to open the secret environment');
    const plain = await prepareAttempt(
      claimed({ secretEnvEncrypted: null, targetKind: 'local' }),
      { environmentFor: (_run, secretEnv) => secretEnv },
      new SecretMasker(),
    );
    expect(plain.env).toEqual({});
  });
});
