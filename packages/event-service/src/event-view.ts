import type { Selectable } from 'kysely';
import type { EventsTable } from '@cronium/db';
import { scheduleView } from './schedule-columns.ts';

/** An event as the API shows it (never the encrypted environment). */
export function eventView(row: Selectable<EventsTable>, serverIds: number[]) {
  return {
    id: row.id,
    ownerId: row.owner_id,
    name: row.name,
    description: row.description,
    type: row.type,
    status: row.status,
    tags: row.tags,
    script: row.script,
    http:
      row.http_method && row.http_url
        ? {
            method: row.http_method,
            url: row.http_url,
            headers: row.http_headers,
            body: row.http_body,
          }
        : null,
    tool:
      row.tool_credential_id !== null && row.tool_action
        ? {
            credentialId: row.tool_credential_id,
            params: (row.tool_action as { params: Record<string, unknown> }).params,
          }
        : null,
    schedule: scheduleView(row),
    targetKind: row.target_kind,
    image: row.image,
    serverIds,
    secretEnvKeys: row.secret_env_keys,
    timeoutSeconds: row.timeout_seconds,
    retry: {
      maxAttempts: row.retry_max_attempts,
      delaySeconds: row.retry_delay_seconds,
      backoffFactor: row.retry_backoff_factor,
    },
    concurrency: { policy: row.concurrency_policy, max: row.max_concurrent_runs },
    priority: row.priority,
    env: row.env,
    limits: { memoryMb: row.memory_mb, cpuMillis: row.cpu_millis, pids: row.pids_limit },
    networkEnabled: row.network_enabled,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
export type EventView = ReturnType<typeof eventView>;
