'use client';
import { useEffect, useRef } from 'react';
import { useLiveStatuses } from '../live-socket.ts';

/** A slow read besides the pushes, for what reaches no socket (a dropped hint, a deadline). */
const SAFETY_POLL_MS = 5_000;

/**
 * Calls `onChange` while it is rendered: when one of the user's runs changes status (pushed
 * over the live WebSocket, at most once a second; a workflow's steps are ordinary runs, so each
 * step that starts or ends is one), and every 5 s in case a push was lost. Render it only while
 * the workflow run is running: unmounted, it closes its socket.
 */
export function LiveReload({ onChange }: { onChange(): void }) {
  const callback = useRef(onChange);
  callback.current = onChange;
  useLiveStatuses(() => callback.current());
  useEffect(() => {
    const timer = setInterval(() => callback.current(), SAFETY_POLL_MS);
    return () => clearInterval(timer);
  }, []);
  return null;
}
