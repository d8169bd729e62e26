'use client';
import { useEffect, useRef } from 'react';
import type { LogFrame, ServerFrame, StatusFrame } from '@cronium/contracts';

export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

interface Follower {
  afterSeq: number;
  onLine(frame: LogFrame): void;
  onStatus(frame: { status: string; attempt?: number; exitCode?: number | null }): void;
  onSubscribed?(frame: { status: string; latestSeq: number }): void;
}

/**
 * The live-log WebSocket (`/v1/live` on the web port, which forwards it to the ws process),
 * with the session cookie. It reconnects by itself (backoff 0.5 s up to 5 s) and resumes every
 * followed run from the last line it received, so a dropped connection loses and repeats
 * nothing; lines at or below the last sequence number are dropped here too.
 */
export class LiveSocket {
  #socket: WebSocket | undefined;
  #followers = new Map<number, Follower>();
  #statusListeners = new Set<(frame: StatusFrame) => void>();
  #retryMs = 500;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  onState: ((state: LiveState) => void) | undefined;

  constructor() {
    this.#connect('connecting');
  }

  follow(runId: number, follower: Follower): () => void {
    this.#followers.set(runId, follower);
    this.#send({ type: 'subscribe', runId, afterSeq: follower.afterSeq });
    return () => {
      this.#followers.delete(runId);
      this.#send({ type: 'unsubscribe', runId });
    };
  }

  onMyRuns(listener: (frame: StatusFrame) => void): () => void {
    this.#statusListeners.add(listener);
    this.#send({ type: 'subscribe_my_runs' });
    return () => this.#statusListeners.delete(listener);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#socket?.close();
    this.onState?.('closed');
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
      this.onState?.('open');
      for (const [runId, f] of this.#followers)
        this.#send({ type: 'subscribe', runId, afterSeq: f.afterSeq });
      if (this.#statusListeners.size > 0) this.#send({ type: 'subscribe_my_runs' });
    };
    socket.onmessage = (message) => this.#receive(JSON.parse(String(message.data)) as ServerFrame);
    socket.onclose = () => {
      if (this.#closed || this.#socket !== socket) return;
      this.onState?.('reconnecting');
      this.#timer = setTimeout(() => this.#connect('reconnecting'), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 5_000);
    };
  }

  #receive(frame: ServerFrame): void {
    if (frame.type === 'log') {
      const f = this.#followers.get(frame.runId);
      if (!f || frame.seq <= f.afterSeq) return;
      f.afterSeq = frame.seq;
      f.onLine(frame);
    } else if (frame.type === 'status') {
      this.#followers.get(frame.runId)?.onStatus(frame);
      for (const listener of this.#statusListeners) listener(frame);
    } else if (frame.type === 'subscribed') {
      const f = this.#followers.get(frame.runId);
      f?.onStatus({ status: frame.status });
      f?.onSubscribed?.(frame);
    }
  }
}

/** Calls `onChange` (at most once a second) whenever one of the user's runs changes status. */
export function useLiveStatuses(onChange: () => void): void {
  const callback = useRef(onChange);
  callback.current = onChange;
  useEffect(() => {
    const socket = new LiveSocket();
    let timer: ReturnType<typeof setTimeout> | undefined;
    socket.onMyRuns(() => {
      timer ??= setTimeout(() => {
        timer = undefined;
        callback.current();
      }, 1_000);
    });
    return () => {
      clearTimeout(timer);
      socket.close();
    };
  }, []);
}
