import { sql } from 'kysely';
import type { EventType, RunTrigger, TargetKind } from '@cronium/contracts';

/** Everything an executor needs about a claimed attempt. */
export interface ClaimedRun {
  runId: number;
  attempt: number;
  maxAttempts: number;
  owner: string;
  trigger: RunTrigger;
  input: unknown;
  scheduledFor: Date | null;
  /** The workflow run this run is a node of, if any. */
  workflowRunId: number | null;
  /**
   * How long the run waited, from when it was due (`run_at`: queued, retry due, scheduled
   * time) to this claim, by the database's clock (no skew between machines).
   */
  queueWaitMs: number;
  /** Log bytes the run already stored (earlier attempts): the log cap is per run. */
  logBytes: number;
  /** The last sequence number in the run's log when this attempt was claimed. */
  logSeq: number;
  event: {
    id: number;
    ownerId: number;
    name: string;
    type: EventType;
    tags: string[];
    script: string | null;
    httpMethod: string | null;
    httpUrl: string | null;
    httpHeaders: Record<string, string>;
    httpBody: string | null;
    /** A `tool` event's credential (its owner's) and action (`{ params }`, templates). */
    toolCredentialId: number | null;
    toolAction: { params: Record<string, unknown> } | null;
    targetKind: TargetKind;
    image: string | null;
    timeoutSeconds: number;
    env: Record<string, string>;
    secretEnvEncrypted: string | null;
    memoryMb: number | null;
    cpuMillis: number | null;
    pidsLimit: number | null;
    networkEnabled: boolean;
  };
}

export interface ClaimOptions {
  owner: string;
  limit: number;
  leaseMs: number;
  /**
   * Most runs one owner (user) may have running at once, counted over every orchestrator;
   * undefined: no cap.
   */
  maxRunningPerOwner?: number;
}

export interface ClaimedRow {
  id: number;
  attempt: number;
  max_attempts: number;
  priority: number;
  run_at: Date;
  trigger: RunTrigger;
  input: unknown;
  scheduled_for: Date | null;
  workflow_run_id: number | null;
  queue_wait_ms: number | string;
  log_bytes: number | string;
  log_seq: number | string;
  event_id: number;
  owner_id: number;
  name: string;
  type: EventType;
  tags: string[];
  script: string | null;
  http_method: string | null;
  http_url: string | null;
  http_headers: Record<string, string>;
  http_body: string | null;
  tool_credential_id: number | null;
  tool_action: { params: Record<string, unknown> } | null;
  target_kind: TargetKind;
  image: string | null;
  timeout_seconds: number;
  env: Record<string, string>;
  secret_env_encrypted: string | null;
  memory_mb: number | null;
  cpu_millis: number | null;
  pids_limit: number | null;
  network_enabled: boolean;
}

export function claimSet(options: ClaimOptions) {
  return sql`status = 'running', attempt = r.attempt + 1, lease_owner = ${options.owner},
    lease_expires_at = now() + ${options.leaseMs} * interval '1 millisecond',
    started_at = clock_timestamp(), finished_at = NULL, exit_code = NULL, duration_ms = NULL`;
}

// RETURNING sees the updated row: started_at is the claim's clock_timestamp().
export const CLAIM_RETURNING = sql`r.id, r.attempt, r.max_attempts, r.priority, r.run_at, r.trigger, r.input, r.scheduled_for, r.workflow_run_id, r.log_bytes, r.log_seq,
  greatest(0, extract(epoch FROM r.started_at - r.run_at) * 1000)::float8 AS queue_wait_ms,
  r.event_id, e.owner_id, e.name, e.type, e.tags, e.script, e.http_method, e.http_url, e.http_headers, e.http_body,
  e.tool_credential_id, e.tool_action,
  e.target_kind, e.image, e.timeout_seconds, e.env, e.secret_env_encrypted, e.memory_mb, e.cpu_millis, e.pids_limit,
  e.network_enabled`;

export type Ordered = ClaimedRun & { priority: number; runAt: Date };

export function inClaimOrder(runs: Ordered[]): ClaimedRun[] {
  return runs
    .sort(
      (a, b) =>
        b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || a.runId - b.runId,
    )
    .map(({ priority: _p, runAt: _r, ...run }) => run);
}

export function toClaimedRun(r: ClaimedRow, owner: string): Ordered {
  return {
    runId: r.id,
    attempt: r.attempt,
    maxAttempts: r.max_attempts,
    owner,
    trigger: r.trigger,
    input: r.input,
    scheduledFor: r.scheduled_for,
    workflowRunId: r.workflow_run_id === null ? null : Number(r.workflow_run_id),
    queueWaitMs: Number(r.queue_wait_ms),
    logBytes: Number(r.log_bytes),
    logSeq: Number(r.log_seq),
    priority: r.priority,
    runAt: r.run_at,
    event: {
      id: r.event_id,
      ownerId: r.owner_id,
      name: r.name,
      type: r.type,
      tags: r.tags,
      script: r.script,
      httpMethod: r.http_method,
      httpUrl: r.http_url,
      httpHeaders: r.http_headers,
      httpBody: r.http_body,
      toolCredentialId: r.tool_credential_id,
      toolAction: r.tool_action,
      targetKind: r.target_kind,
      image: r.image,
      timeoutSeconds: r.timeout_seconds,
      env: r.env,
      secretEnvEncrypted: r.secret_env_encrypted,
      memoryMb: r.memory_mb,
      cpuMillis: r.cpu_millis,
      pidsLimit: r.pids_limit,
      networkEnabled: r.network_enabled,
    },
  };
}
