import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import {
  freePort,
  spawnService,
  waitForStatus,
  type ServiceProcess,
} from '@cronium/service-kit/testing';

export interface OrchestratorProcess extends ServiceProcess {
  id: string;
  port: number;
}

/** Starts a real orchestrator (`node src/main.ts`) against a test database and waits until ready. */
export async function startOrchestrator(
  databaseUrl: string,
  id: string,
  env: Record<string, string> = {},
): Promise<OrchestratorProcess> {
  const port = await freePort();
  const proc = spawnService(join(__dirname, 'main.ts'), {
    DATABASE_URL: databaseUrl,
    CRONIUM_DATA_DIR: mkdtempSync(join(tmpdir(), 'cronium-orch-')),
    CRONIUM_ENCRYPTION_KEY: 'ab'.repeat(32),
    CRONIUM_JWT_SECRET: 'j'.repeat(40),
    ORCHESTRATOR_PORT: String(port),
    ORCHESTRATOR_ID: id,
    ORCHESTRATOR_POLL_MS: '200',
    ORCHESTRATOR_KILL_GRACE_MS: '300',
    // Test owners are ordinary users; their scripts run as uids of their own (tests run as
    // root), from a range of this orchestrator's so parallel test files never share a uid.
    ORCHESTRATOR_LOCAL: 'everyone',
    ORCHESTRATOR_LOCAL_UID_BASE: String(1_900_000_000 + Math.floor(Math.random() * 90_000) * 1_000),
    LOG_LEVEL: 'info',
    ...env,
  });
  await waitForStatus(`http://127.0.0.1:${port}/ready`, 200, { process: proc, timeoutMs: 30_000 });
  return Object.assign(proc, { id, port });
}
