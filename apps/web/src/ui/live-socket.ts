'use client';
import { useEffect, useRef } from 'react';
import type { LogLine, ServerFrame, StatusFrame, WorkflowRunFrame } from '@cronium/contracts';

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

interface Follower {
  afterSeq: number;
  /** New lines, in order, none at or below a sequence number already given. */
  onLines(lines: LogLine[]): void;
  onStatus(frame: { status: string; attempt?: number; exitCode?: number | null }): void;
  onSubscribed?(frame: { status: string; latestSeq: number }): void;
}

/** The id of the ping sent behind `subscribe_my_runs`: its pong says the server has taken it. */
const MY_RUNS_TAKEN = 'my-runs';
/** A ping this often while nothing else arrives ... */
const PING_EVERY_MS = 15_000;
/** ... and a connection that stays silent this long after it is given up as dead. */
const SILENT_FOR_MS = 25_000;

/**
 * The live-log WebSocket (`/v1/live` on the web port, which forwards it to the ws process),
 * with the session cookie. It reconnects by itself (backoff 0.5 s up to 5 s) and resumes every
 * followed run from the last line it received, so a dropped connection loses and repeats
 * nothing; lines at or below the last sequence number are dropped here too. Stored lines come
 * in batches (`batch`: one frame per 500 lines), so a long log loads in a few dozen frames.
 * A connection that goes silent without closing (a laptop that slept, a proxy that dropped
 * it) is noticed by its unanswered pings and replaced.
 */
export class LiveSocket {
  #socket: WebSocket | undefined;
  #followers = new Map<number, Follower>();
  #statusListeners = new Set<(frame: StatusFrame) => void>();
  #workflowRunListeners = new Set<(frame: WorkflowRunFrame) => void>();
  #myRunsTakenListeners = new Set<() => void>();
  #retryMs = 500;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  onState: ((state: LiveState) => void) | undefined;

  constructor() {
    this.#connect('connecting');
  }

  follow(runId: number, follower: Follower): () => void {
    this.#followers.set(runId, follower);
    this.#send({ type: 'subscribe', runId, afterSeq: follower.afterSeq, batch: true });
    return () => {
      this.#followers.delete(runId);
      this.#send({ type: 'unsubscribe', runId });
    };
  }

  onMyRuns(listener: (frame: StatusFrame) => void): () => void {
    this.#statusListeners.add(listener);
    this.#followMyRuns();
    return () => this.#statusListeners.delete(listener);
  }

  /** Hints that one of the user's workflow runs moved (`workflow_run` frames). */
  onMyWorkflowRuns(listener: (frame: WorkflowRunFrame) => void): () => void {
    this.#workflowRunListeners.add(listener);
    this.#followMyRuns();
    return () => this.#workflowRunListeners.delete(listener);
  }

  /**
   * Called each time the server has taken this connection's `subscribe_my_runs` (on the first
   * connection and on every one after a reconnect): hints sent before then were missed, so a
   * view reads again now. (ws handles a connection's messages in order, so the answer to a
   * ping sent behind the subscription means it is in place.)
   */
  onMyRunsTaken(listener: () => void): () => void {
    this.#myRunsTakenListeners.add(listener);
    return () => this.#myRunsTakenListeners.delete(listener);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    this.#socket?.close();
    this.onState?.('closed');
  }

  #followMyRuns(): void {
    this.#send({ type: 'subscribe_my_runs' });
    this.#send({ type: 'ping', id: MY_RUNS_TAKEN });
  }

  #send(message: object): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  #connect(state: LiveState): void {
    this.onState?.(state);
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/v1/live`;
    const socket = new WebSocket(url);
    this.#socket = socket;
    socket.onopen = () => {
      this.#retryMs = 500;
      this.#lastHeard = Date.now();
      this.onState?.('open');
      for (const [runId, f] of this.#followers)
        this.#send({ type: 'subscribe', runId, afterSeq: f.afterSeq, batch: true });
      if (this.#statusListeners.size > 0 || this.#workflowRunListeners.size > 0)
        this.#followMyRuns();
    };
    socket.onmessage = (message) => {
      this.#lastHeard = Date.now();
      this.#receive(JSON.parse(String(message.data)) as ServerFrame);
    };
    socket.onclose = () => {
      if (this.#socket === socket) this.#reconnect();
    };
    clearInterval(this.#heartbeat);
    this.#heartbeat = setInterval(() => this.#checkAlive(socket), PING_EVERY_MS / 3);
  }

  /** Pings a quiet connection; one silent for too long is dropped and replaced. */
  #checkAlive(socket: WebSocket): void {
    if (this.#socket !== socket || socket.readyState !== WebSocket.OPEN) return;
    const silentMs = Date.now() - this.#lastHeard;
    if (silentMs > SILENT_FOR_MS) {
      // Its close handshake could wait as long again on a dead link: do not wait for it.
      this.#socket = undefined;
      socket.close();
      this.#reconnect();
    } else if (silentMs >= PING_EVERY_MS) this.#send({ type: 'ping' });
  }

  #reconnect(): void {
    if (this.#closed) return;
    clearInterval(this.#heartbeat);
    this.onState?.('reconnecting');
    this.#timer = setTimeout(() => this.#connect('reconnecting'), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, 5_000);
  }

  #receive(frame: ServerFrame): void {
    if (frame.type === 'log' || frame.type === 'logs') {
      const f = this.#followers.get(frame.runId);
      if (!f) return;
      const lines = (frame.type === 'logs' ? frame.lines : [frame]).filter(
        (line) => line.seq > f.afterSeq,
      );
      if (lines.length === 0) return;
      f.afterSeq = lines.at(-1)!.seq;
      f.onLines(lines);
    } else if (frame.type === 'status') {
      this.#followers.get(frame.runId)?.onStatus(frame);
      for (const listener of this.#statusListeners) listener(frame);
    } else if (frame.type === 'workflow_run') {
      for (const listener of this.#workflowRunListeners) listener(frame);
    } else if (frame.type === 'pong' && frame.id === MY_RUNS_TAKEN) {
      for (const listener of this.#myRunsTakenListeners) listener();
    } else if (frame.type === 'subscribed') {
      const f = this.#followers.get(frame.runId);
      f?.onStatus({ status: frame.status });
      f?.onSubscribed?.(frame);
    }
  }
}

/** Calls `onChange` whenever one of the user's runs changes status (see `useLiveHints`). */
export function useLiveStatuses(onChange: () => void): void {
  useLiveHints(onChange, (socket, hint) => socket.onMyRuns(hint));
}

/**
 * Calls `onChange` whenever one of the user's workflow runs moves (a node started, is being
 * sent or ended; the run ended, was cancelled or timed out) or one of their runs changes
 * status (a workflow's event steps are runs), and each time the server has taken the
 * subscription (the first time and after a reconnect), since hints sent before were missed: a
 * run that moved between the page's first read and the socket opening is not left stale.
 */
export function useLiveWorkflowRuns(onChange: () => void): void {
  useLiveHints(onChange, (socket, hint) => {
    socket.onMyRuns(hint);
    socket.onMyWorkflowRuns(hint);
    socket.onMyRunsTaken(hint);
  });
}

/**
 * A live socket while the component is rendered (`listen` picks its hints; closing it drops
 * them), whose hints call `onChange`: at once for the first, then at most once a second (a
 * burst of hints costs one more read, at its end).
 */
function useLiveHints(
  onChange: () => void,
  listen: (socket: LiveSocket, hint: () => void) => void,
): void {
  const callback = useRef(onChange);
  callback.current = onChange;
  const subscribe = useRef(listen);
  useEffect(() => {
    const socket = new LiveSocket();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastCall = 0;
    const call = () => {
      timer = undefined;
      lastCall = Date.now();
      callback.current();
    };
    subscribe.current(socket, () => {
      if (timer !== undefined) return;
      const wait = lastCall + 1_000 - Date.now();
      if (wait <= 0) call();
      else timer = setTimeout(call, wait);
    });
    return () => {
      clearTimeout(timer);
      socket.close();
    };
  }, []);
}
