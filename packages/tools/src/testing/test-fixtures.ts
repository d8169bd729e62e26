import {
  checkedLookup,
  egressSettings,
  EgressPolicy,
  type DestinationCheck,
} from '@cronium/egress';
import type { ToolContext } from '../tool-context.ts';

/**
 * The egress check of an owner. `admin: true` may reach loopback (where the tests' servers
 * are); `admin: false` with no EGRESS_ALLOW may not, which is how tests prove the policy
 * applies. Names resolve through a stub: no DNS query leaves the machine.
 */
export function testEgress(admin: boolean, refusals: string[] = []): DestinationCheck {
  const settings = egressSettings({ allow: '' });
  if (!settings.ok) throw new Error(settings.problems.join('; '));
  const policy = new EgressPolicy(settings.settings, async (host) => {
    if (host === 'localhost') return [{ address: '127.0.0.1', family: 4 }];
    throw Object.assign(new Error(`no DNS in tests: ${host}`), { code: 'ENOTFOUND' });
  });
  return checkedLookup(policy, { admin }, (refusal) => {
    refusals.push(refusal.message);
  });
}

export function sampleContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    event: { id: 7, name: 'nightly backup', type: 'node' },
    run: {
      id: 4242,
      status: 'failed',
      attempt: 2,
      durationMs: 1534,
      exitCode: 3,
      error: 'exit code 3',
      startedAt: '2026-01-02T03:04:05.000Z',
      finishedAt: '2026-01-02T03:04:06.534Z',
    },
    workflow: null,
    output: { files: 12, sizes: [1, 2, 3], note: 'disk "almost" full' },
    condition: false,
    input: { target: 's3://bucket' },
    logs: ['starting', 'copying 12 files', 'error: disk full'],
    variables: { team: 'ops', threshold: 90 },
    ...overrides,
  };
}
