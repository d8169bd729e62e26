/**
 * What crosses the bus: a hint, never the data. The store (run_log_chunks, runs) is the
 * source of truth; an event only says "run N has lines up to seq S" or "run N changed
 * status", so a lost or duplicated event costs a read, never a line.
 */
export type RunEvent =
  | { kind: 'log'; runId: number; ownerId: number; lastSeq: number }
  | { kind: 'status'; runId: number; ownerId: number; status: string };

/** The channel name on both transports. */
export const RUN_EVENTS_CHANNEL = 'cronium_run_events';

/** Compact text form (well under Postgres' 8,000-byte NOTIFY payload limit). */
export function encodeRunEvent(event: RunEvent): string {
  return event.kind === 'log'
    ? `l:${event.runId}:${event.ownerId}:${event.lastSeq}`
    : `s:${event.runId}:${event.ownerId}:${event.status}`;
}

/** Parses an event; undefined for anything malformed (never throws on foreign traffic). */
export function decodeRunEvent(text: string): RunEvent | undefined {
  const [kind, run, owner, last] = text.split(':');
  const runId = Number(run);
  const ownerId = Number(owner);
  if (!Number.isSafeInteger(runId) || !Number.isSafeInteger(ownerId) || last === undefined)
    return undefined;
  if (kind === 'l') {
    const lastSeq = Number(last);
    return Number.isSafeInteger(lastSeq) ? { kind: 'log', runId, ownerId, lastSeq } : undefined;
  }
  if (kind === 's' && /^[a-z_]{1,20}$/.test(last))
    return { kind: 'status', runId, ownerId, status: last };
  return undefined;
}

export interface RunEventBus {
  /** Best effort: a failure is reported, never thrown into the caller's run. */
  publish(events: RunEvent[]): Promise<void>;
  /** Calls `listener` for every event from any process; returns the unsubscribe. */
  subscribe(listener: (event: RunEvent) => void): () => void;
  /** `ok`, or `degraded` while the transport is away (events may be missed meanwhile). */
  health(): 'ok' | 'degraded';
  /** Resolves once the transport is up, or after `timeoutMs` regardless (then degraded). */
  whenReady(timeoutMs: number): Promise<void>;
  /** Called after the transport came back, when events may have been missed. */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}
