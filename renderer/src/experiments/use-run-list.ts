import { useCallback, useEffect, useRef, useState } from 'react';
import type { RunListQuery } from '#shared/api/runs';
import { useApi } from '../api/context';
import { pagesFor, RunPages } from './run-pages';

/** The filter part of a `runs.list` query (paging is the hook's business). */
export type RunFilter = Omit<RunListQuery, 'offset' | 'limit'>;

/**
 * History's data: the total for a filter and the pages of rows the user has scrolled to.
 * A change of filter starts over; run events patch rows in place or, for new and deleted
 * runs, refetch what is loaded (at most twice a second, so a busy scheduler cannot flood it).
 */
export function useRunList(filter: RunFilter) {
  const api = useApi();
  const key = JSON.stringify(filter);
  const [pages, setPages] = useState<RunPages | null>(null);
  const [error, setError] = useState<Error | undefined>();
  const generation = useRef(0);
  const inflight = useRef(new Set<number>());
  const pagesRef = useRef<RunPages | null>(null);
  pagesRef.current = pages;

  const fetchPage = useCallback(
    async (page: number, gen: number, pageSize: number) => {
      const q = { ...(JSON.parse(key) as RunFilter), offset: page * pageSize, limit: pageSize };
      const res = await api.invoke('runs.list', q);
      if (gen !== generation.current) return;
      setPages((prev) =>
        (prev && prev.total === res.total ? prev : new RunPages(res.total)).with(page, res.runs),
      );
    },
    [api, key],
  );

  const reset = useCallback(() => {
    const gen = ++generation.current;
    inflight.current.clear();
    const loaded = pagesRef.current
      ? pagesFor(0, pagesRef.current.total - 1).filter((p) => pagesRef.current?.has(p))
      : [];
    const wanted = loaded.length > 0 ? loaded : [0];
    Promise.all(
      wanted.map(async (p) => {
        const res = await api.invoke('runs.list', {
          ...(JSON.parse(key) as RunFilter),
          offset: p * 200,
          limit: 200,
        });
        return [p, res] as const;
      }),
    ).then(
      (results) => {
        if (gen !== generation.current) return;
        let next = new RunPages(results[0]?.[1].total ?? 0);
        for (const [p, res] of results) next = next.with(p, res.runs);
        setPages(next);
        setError(undefined);
      },
      (e: Error) => gen === generation.current && setError(e),
    );
  }, [api, key]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts from the top
  useEffect(() => {
    pagesRef.current = null;
    setPages(null);
    reset();
  }, [key]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = api.on('onDidChangeRun', (e) => {
      if (e.kind === 'updated' && e.run) {
        const patched = pagesRef.current?.patched(e.run);
        if (patched) setPages(patched);
        return;
      }
      if (!timer)
        timer = setTimeout(() => {
          timer = null;
          reset();
        }, 500);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [api, reset]);

  /** Loads whatever pages rows `from..to` need. */
  const ensure = useCallback(
    (from: number, to: number) => {
      const current = pagesRef.current;
      if (!current) return;
      for (const p of pagesFor(from, Math.min(to, current.total - 1), current.pageSize)) {
        if (current.has(p) || inflight.current.has(p)) continue;
        inflight.current.add(p);
        const gen = generation.current;
        fetchPage(p, gen, current.pageSize)
          .catch((e: Error) => setError(e))
          .finally(() => inflight.current.delete(p));
      }
    },
    [fetchPage],
  );

  return { pages, error, ensure, reload: reset };
}
