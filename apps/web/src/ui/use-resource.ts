'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiProblem, get, type Query } from './api.ts';

export interface Resource<T> {
  data: T | undefined;
  error: ApiProblem | undefined;
  loading: boolean;
  /** Reads again (keeps the data shown meanwhile). */
  reload(): Promise<void>;
  /** Replaces the data shown (optimistic updates; a reload puts the server's truth back). */
  setData(update: (current: T | undefined) => T | undefined): void;
}

/**
 * GET `path` (with `query`) from the REST API when the component mounts and whenever the path
 * or query changes; `path` null waits. Answers that arrive out of order are dropped.
 */
export function useResource<T>(path: string | null, query?: Query): Resource<T> {
  const [data, setDataState] = useState<T>();
  const [error, setError] = useState<ApiProblem>();
  const [loading, setLoading] = useState(path !== null);
  const key = path === null ? null : JSON.stringify([path, query ?? {}]);
  const latest = useRef(0);

  const load = useCallback(async () => {
    if (key === null) return;
    const [p, q] = JSON.parse(key) as [string, Query];
    const ticket = ++latest.current;
    setLoading(true);
    try {
      const answer = await get<T>(p, q);
      if (ticket !== latest.current) return;
      setDataState(answer);
      setError(undefined);
    } catch (e) {
      if (ticket !== latest.current) return;
      setError(e instanceof ApiProblem ? e : new ApiProblem(0, 'CLIENT', String(e)));
    } finally {
      if (ticket === latest.current) setLoading(false);
    }
  }, [key]);

  useEffect(() => {
    void load();
  }, [load]);

  return { data, error, loading, reload: load, setData: setDataState };
}
