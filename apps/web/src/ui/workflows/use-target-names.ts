'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, get } from '../api.ts';

export interface Target {
  kind: 'event' | 'workflow';
  id: number | null;
}

const keyOf = (t: Target) => `${t.kind}:${t.id}`;

/**
 * The names of the events and workflows a graph's nodes run (the graph holds only their ids),
 * each read once with GET /events/{id} or /workflows/{id}. `remember` records a name the page
 * already knows (one just picked), so it is not read again.
 */
export function useTargetNames(targets: Target[]) {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const asked = useRef(new Set<string>());
  const wanted = [...new Set(targets.filter((t) => t.id !== null).map(keyOf))].join(',');

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

  /** "event: Nightly report", or the id while its name is read. */
  const describe = useCallback(
    (target: Target) =>
      target.id === null
        ? 'nothing chosen yet'
        : `${target.kind}: ${names.get(keyOf(target)) ?? `#${target.id}`}`,
    [names],
  );
  return { describe, remember };
}
