'use client';
import { useEffect, useRef } from 'react';
import { useLiveWorkflowRuns } from '../live-socket.ts';

/**
 * A slow read besides the pushes, because a push can be lost where nobody can tell which runs
 * it was about: a run's status hint while Valkey is away, a workflow run's while the ws
 * process's LISTEN connection to PostgreSQL reconnects. (The browser's own reconnect reads
 * again at once.)
 */
const SAFETY_POLL_MS = 30_000;

/**
 * Calls `onChange` while it is rendered: when one of the user's workflow runs moves (a node
 * starts, is being sent, ends; the run ends, is cancelled or times out) or one of their runs
 * changes status, pushed over the live WebSocket (at once, then at most once a second); once
 * its socket follows the user's runs (and again after each reconnect), for what moved before;
 * and every 30 s in case a push was lost. Render it only while the workflow run is running:
 * unmounted, it closes its socket.
 */
export function LiveReload({ onChange }: { onChange(): void }) {
  const callback = useRef(onChange);
  callback.current = onChange;
  useLiveWorkflowRuns(() => callback.current());
  useEffect(() => {
    const timer = setInterval(() => callback.current(), SAFETY_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  return null;
}
