'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, get } from '../api.ts';
import { useToolCredentials, type ToolCredential } from '../forms/tool-action-fields.tsx';

/** What a node names: an event, a workflow, or (a tool node) a tool credential, by id. */
export interface Target {
  kind: 'event' | 'workflow' | 'tool';
  id: number | null;
}

const keyOf = (t: Target) => `${t.kind}:${t.id}`;

/** A tool credential in words: "webhook: deploy hook". */
export const describeCredential = (c: Pick<ToolCredential, 'kind' | 'name'>) =>
  `${c.kind}: ${c.name}`;

/**
 * The names of the events, workflows and tool credentials a graph's nodes name (the graph
 * holds only their ids). Events and workflows are read once each with GET /events/{id} or
 * /workflows/{id}; `remember` records a name the page already knows (one just picked), so it is
 * not read again. Tool credentials are few: they are read as one list, which names any tool
 * node, and is also what the editor offers to choose from (`credentials`).
 */
export function useTargetNames(targets: Target[]) {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const asked = useRef(new Set<string>());
  const credentials = useToolCredentials().data;
  const wanted = [
    ...new Set(targets.filter((t) => t.id !== null && t.kind !== 'tool').map(keyOf)),
  ].join(',');

  useEffect(() => {
    for (const key of wanted ? wanted.split(',') : []) {
      if (asked.current.has(key)) continue;
      asked.current.add(key);
      const [kind, id] = key.split(':') as [Target['kind'], string];
      get<{ name: string }>(`/${kind}s/${id}`)
        .then((found) => found.name)
        .catch((problem: unknown) =>
          problem instanceof ApiProblem && problem.status === 404 ? `#${id} (not yours)` : `#${id}`,
        )
        .then((name) => setNames((current) => new Map(current).set(key, name)));
    }
  }, [wanted]);

  const remember = useCallback((target: Target, name: string) => {
    asked.current.add(keyOf(target));
    setNames((current) => new Map(current).set(keyOf(target), name));
  }, []);

  /** "event: Nightly report", "slack: ops channel", or the id while its name is read. */
  const describe = useCallback(
    (target: Target) => {
      if (target.id === null) return 'nothing chosen yet';
      if (target.kind !== 'tool')
        return `${target.kind}: ${names.get(keyOf(target)) ?? `#${target.id}`}`;
      const credential = credentials?.find((c) => c.id === target.id);
      if (credential) return describeCredential(credential);
      return credentials
        ? `tool credential #${target.id} (not found)`
        : `tool credential #${target.id}`;
    },
    [names, credentials],
  );
  return { describe, remember, credentials };
}
