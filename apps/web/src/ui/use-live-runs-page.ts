'use client';
import type { Query } from './api.ts';
import { useKeyset, type Keyset } from './keyset-pager.tsx';
import { useLiveStatuses, useLiveWorkflowRuns } from './live-socket.ts';
import { useResource, type Resource } from './use-resource.ts';

/**
 * One page of a newest-first list of runs (or, with `workflowRuns`, of workflow runs) at
 * `path`, paged with a keyset (other `query` starts over at the newest) and read again
 * whenever one of the user's runs changes status (and, for workflow runs, whenever one of
 * them moves: one that ends through a tool node, a timeout or a cancel has no run of its own
 * to tell), so a running row ends by itself.
 */
export function useLiveRunsPage<T>(
  path: string,
  query: Query = {},
  limit = 25,
  workflowRuns = false,
): {
  keyset: Keyset;
  page: Resource<{ runs: T[]; nextBefore: number | null }>;
  runs: T[];
} {
  const keyset = useKeyset(JSON.stringify([path, query]));
  const page = useResource<{ runs: T[]; nextBefore: number | null }>(path, {
    ...query,
    before: keyset.before,
    limit,
  });
  const follow = workflowRuns ? useLiveWorkflowRuns : useLiveStatuses;
  follow(() => void page.reload());
  return { keyset, page, runs: page.data?.runs ?? [] };
}
