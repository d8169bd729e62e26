import { listenForNotifications, type NotificationListener } from '@cronium/db';
import { CHANNELS } from '@cronium/run-queue';

/**
 * LISTENs for workflow runs that moved. The notification (`CHANNELS.workflowRuns`, payload:
 * the workflow run's id) is sent by the transaction that moved the run, from whichever
 * process did it (an orchestrator's advance, a tool node's claim or end, the timeout sweep,
 * a cancel from the web app), and only once it commits: a reader then sees the change. It
 * goes through PostgreSQL with or without Valkey, because those transactions are where the
 * change is known, and Valkey has no part in them. A hint lost while this connection
 * reconnects is caught up by the browser's slow safety poll.
 */
export function listenForWorkflowRuns(options: {
  url: string;
  onChange: (workflowRunId: number) => void;
  onError?: (error: Error) => void;
}): NotificationListener {
  return listenForNotifications({
    url: options.url,
    channels: [CHANNELS.workflowRuns],
    onNotification: (_channel, payload) => {
      const id = Number(payload);
      if (Number.isSafeInteger(id) && id > 0) options.onChange(id);
    },
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
