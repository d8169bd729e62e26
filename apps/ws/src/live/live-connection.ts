import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  ClientMessage,
  LIVE_LOG_LIMITS,
  PingMessage,
  SubscribeMessage,
  SubscribeMyRunsMessage,
  UnsubscribeMessage,
  type LogLine,
  type ServerFrame,
} from '@cronium/contracts';
import { maySeeOwnedBy, type Principal } from '@cronium/accounts/credentials';
import type { Db } from '@cronium/db';
import { readRunLogs } from '@cronium/run-queue';
import { isFinal, readRunSnapshot, type RunSnapshot } from './run-snapshot.ts';
import type { WorkflowRunSnapshot } from './workflow-run-snapshot.ts';

const checkMessage = TypeCompiler.Compile(ClientMessage);
/** Per message type, for errors that say what is wrong with that message. */
const CHECK_BY_TYPE: Record<string, ReturnType<typeof TypeCompiler.Compile>> = {
  subscribe: TypeCompiler.Compile(SubscribeMessage),
  unsubscribe: TypeCompiler.Compile(UnsubscribeMessage),
  subscribe_my_runs: TypeCompiler.Compile(SubscribeMyRunsMessage),
  ping: TypeCompiler.Compile(PingMessage),
};

/** The socket as the connection uses it (the `ws` WebSocket). */
export interface FrameSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface LiveConnectionOptions {
  db: Db;
  viewer: Principal;
  /** Whether the credential the socket was opened with still holds. */
  stillValid: () => Promise<boolean>;
  socket: FrameSocket;
  /** Above this many unsent bytes the connection stops reading the store until it drains. */
  highWaterBytes?: number;
  /** Lines read from the store per query. */
  batchLines?: number;
  onError?: (error: Error) => void;
}

interface Subscription {
  runId: number;
  /** Lines go out as `logs` frames, one per read of the store. */
  batch: boolean;
  lastSentSeq: number;
  status: string | null;
  attempt: number | null;
  /** The pump in progress (it repeats once more when `again` is set meanwhile). */
  pumping: Promise<void> | undefined;
  again: boolean;
  behind: boolean;
}

const OPEN = 1;

/**
 * One client's view: its subscriptions and what has been sent on each. Every delivery reads
 * the store from the last sequence number sent (one pump per run at a time), so the stored
 * backlog and the live tail join with no gap and no duplicate, in order, whatever the bus
 * delivers or drops. A client that reads slowly only delays itself: past the high-water mark
 * the pump waits for the socket to drain (the client is told it is behind) and then goes on
 * from the store.
 */
export class LiveConnection {
  readonly viewer: Principal;
  readonly #o: Required<Omit<LiveConnectionOptions, 'onError'>> & {
    onError: (error: Error) => void;
  };
  readonly #subscriptions = new Map<number, Subscription>();
  #myRuns = false;
  #closed = false;
  #statusQueue: Promise<void> = Promise.resolve();

  constructor(options: LiveConnectionOptions) {
    this.viewer = options.viewer;
    this.#o = {
      highWaterBytes: 1_048_576,
      batchLines: 500,
      onError: () => undefined,
      ...options,
    };
  }

  get subscribedRunIds(): number[] {
    return [...this.#subscriptions.keys()];
  }

  /** Whether this connection wants status changes of runs owned by `ownerId`. */
  followsOwner(ownerId: number): boolean {
    return this.#myRuns && maySeeOwnedBy(this.viewer, ownerId);
  }

  /** Whether this connection asked for its user's run statuses (`subscribe_my_runs`). */
  get followsMyRuns(): boolean {
    return this.#myRuns;
  }

  /** One of the runs it may see moved: a hint, sent only to those following their runs. */
  sendWorkflowRun(run: WorkflowRunSnapshot): void {
    if (!this.followsOwner(run.ownerId)) return;
    this.#send({ type: 'workflow_run', workflowRunId: run.workflowRunId, status: run.status });
  }

  follows(runId: number): boolean {
    return this.#subscriptions.has(runId);
  }

  close(): void {
    this.#closed = true;
    this.#subscriptions.clear();
  }

  /** Ends the connection (close code 4401) once its credential no longer holds. */
  async recheckCredential(): Promise<void> {
    if (this.#closed || (await this.#o.stillValid())) return;
    this.#send({
      type: 'error',
      code: 'unauthenticated',
      message: 'the session or token is no longer valid',
    });
    this.close();
    this.#o.socket.close(4401, 'credentials no longer valid');
  }

  /** A text frame from the client. Anything malformed gets an error frame, never a crash. */
  async receive(raw: string): Promise<void> {
    if (Buffer.byteLength(raw) > LIVE_LOG_LIMITS.maxMessageBytes)
      return this.#send({
        type: 'error',
        code: 'message_too_large',
        message: `messages are limited to ${LIVE_LOG_LIMITS.maxMessageBytes} bytes`,
      });
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      return this.#send({ type: 'error', code: 'bad_message', message: 'messages are JSON' });
    }
    if (!checkMessage.Check(message)) {
      const type = (message as { type?: unknown } | null)?.type;
      const checker = typeof type === 'string' ? CHECK_BY_TYPE[type] : undefined;
      const first = checker?.Errors(message).First();
      return this.#send({
        type: 'error',
        code: 'bad_message',
        message: !checker
          ? `unknown message type ${JSON.stringify(type)}: subscribe, unsubscribe, subscribe_my_runs or ping`
          : first
            ? `${first.path || '/'}: ${first.message}`
            : 'not a valid message',
      });
    }
    switch (message.type) {
      case 'ping':
        return this.#send({ type: 'pong', ...(message.id ? { id: message.id } : {}) });
      case 'subscribe_my_runs':
        this.#myRuns = true;
        return;
      case 'unsubscribe':
        this.#subscriptions.delete(message.runId);
        return this.#send({ type: 'unsubscribed', runId: message.runId });
      case 'subscribe':
        return this.#subscribe(message.runId, message.afterSeq ?? 0, message.batch ?? false);
    }
  }

  /** Subscribe messages left in this second's allowance (a token bucket). */
  #subscribeTokens: number = LIVE_LOG_LIMITS.subscribesPerSecond;
  #subscribeRefilledAt = Date.now();

  #maySubscribe(): boolean {
    const now = Date.now();
    const rate = LIVE_LOG_LIMITS.subscribesPerSecond;
    this.#subscribeTokens = Math.min(
      rate,
      this.#subscribeTokens + ((now - this.#subscribeRefilledAt) / 1000) * rate,
    );
    this.#subscribeRefilledAt = now;
    if (this.#subscribeTokens < 1) return false;
    this.#subscribeTokens -= 1;
    return true;
  }

  async #subscribe(runId: number, afterSeq: number, batch: boolean): Promise<void> {
    // Each subscribe reads the database (also for runs that do not exist): limited per second.
    if (!this.#maySubscribe())
      return this.#send({
        type: 'error',
        code: 'rate_limited',
        message: `at most ${LIVE_LOG_LIMITS.subscribesPerSecond} subscribe messages a second`,
        runId,
      });
    if (this.#subscriptions.has(runId))
      return this.#send({
        type: 'error',
        code: 'already_subscribed',
        message: `already following run ${runId}`,
        runId,
      });
    if (this.#subscriptions.size >= LIVE_LOG_LIMITS.maxSubscriptions)
      return this.#send({
        type: 'error',
        code: 'too_many_subscriptions',
        message: `at most ${LIVE_LOG_LIMITS.maxSubscriptions} runs per connection`,
        runId,
      });
    const run = await readRunSnapshot(this.#o.db, runId);
    // The same answer for "no such run" and "not yours": ids of others' runs are not confirmed.
    if (!run || !maySeeOwnedBy(this.viewer, run.ownerId))
      return this.#send({
        type: 'error',
        code: 'not_found',
        message: `no run ${runId} that you may see`,
        runId,
      });
    const subscription: Subscription = {
      runId,
      batch,
      lastSentSeq: afterSeq,
      status: run.status,
      attempt: run.attempt,
      pumping: undefined,
      again: false,
      behind: false,
    };
    this.#subscriptions.set(runId, subscription);
    this.#send({ type: 'subscribed', runId, status: run.status, latestSeq: run.latestSeq });
    // Lines follow on their own; the next message is not held up by a long backlog.
    void this.pump(runId);
  }

  /**
   * New lines may be stored for `runId`: send what this client has not seen. Resolves when
   * everything stored before the call was sent (or the subscription ended).
   */
  pump(runId: number): Promise<void> {
    const sub = this.#subscriptions.get(runId);
    if (!sub || this.#closed) return Promise.resolve();
    if (sub.pumping) {
      sub.again = true;
      return sub.pumping;
    }
    sub.pumping = this.#pumpLoop(sub).finally(() => (sub.pumping = undefined));
    return sub.pumping;
  }

  async #pumpLoop(sub: Subscription): Promise<void> {
    const runId = sub.runId;
    try {
      do {
        sub.again = false;
        for (;;) {
          if (this.#closed || this.#subscriptions.get(runId) !== sub) return;
          if (this.#o.socket.bufferedAmount > this.#o.highWaterBytes) {
            if (!sub.behind) {
              sub.behind = true;
              this.#send({ type: 'behind', runId, lastSentSeq: sub.lastSentSeq });
            }
            await this.#drained();
            continue;
          }
          sub.behind = false;
          const rows = await readRunLogs(this.#o.db, runId, sub.lastSentSeq, this.#o.batchLines);
          // Unsubscribed (or re-subscribed) while reading: send nothing of this read.
          if (this.#closed || this.#subscriptions.get(runId) !== sub) return;
          const lines: LogLine[] = rows.map((row) => ({
            seq: row.seq,
            attempt: row.attempt,
            stream: row.stream,
            serverId: row.server_id,
            at: new Date(row.logged_at).toISOString(),
            text: row.data,
          }));
          if (sub.batch && lines.length > 0) this.#send({ type: 'logs', runId, lines });
          else for (const line of lines) this.#send({ type: 'log', runId, ...line });
          if (lines.length > 0) sub.lastSentSeq = lines.at(-1)!.seq;
          if (rows.length < this.#o.batchLines) break;
        }
      } while (sub.again);
    } catch (error) {
      this.#o.onError(error as Error);
    }
  }

  /**
   * The run changed status (or may have): send it if it differs from what was sent. Calls
   * for one connection run one after another, so a status never goes backwards.
   */
  refreshStatus(runId: number, snapshot?: RunSnapshot): Promise<void> {
    const next = this.#statusQueue.then(() => this.#refreshStatus(runId, snapshot));
    this.#statusQueue = next.catch(() => undefined);
    return next;
  }

  async #refreshStatus(runId: number, snapshot?: RunSnapshot): Promise<void> {
    const sub = this.#subscriptions.get(runId);
    // A snapshot read before this call was queued may be older than one already sent.
    const run = await readRunSnapshot(this.#o.db, runId).catch(() => snapshot);
    if (!run || !maySeeOwnedBy(this.viewer, run.ownerId)) return;
    if (sub) {
      // Lines first: a finished status comes after the run's last line.
      await this.pump(runId);
      if (sub.status === run.status && sub.attempt === run.attempt) return;
      sub.status = run.status;
      sub.attempt = run.attempt;
    } else if (!this.followsOwner(run.ownerId)) return;
    this.#send({
      type: 'status',
      runId,
      eventId: run.eventId,
      status: run.status,
      attempt: run.attempt,
      exitCode: run.exitCode,
      error: run.error,
    });
  }

  /** Runs still worth polling (subscribed and not finished). */
  activeRunIds(): number[] {
    return [...this.#subscriptions.values()]
      .filter((s) => s.status === null || !isFinal(s.status) || s.pumping !== undefined)
      .map((s) => s.runId);
  }

  #drained(): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (this.#closed || this.#o.socket.readyState !== OPEN) return resolve();
        if (this.#o.socket.bufferedAmount <= this.#o.highWaterBytes / 4) return resolve();
        setTimeout(check, 20);
      };
      check();
    });
  }

  #send(frame: ServerFrame): void {
    if (this.#closed || this.#o.socket.readyState !== OPEN) return;
    this.#o.socket.send(JSON.stringify(frame));
  }
}
