import type { RunSummary } from '#shared/domain/run';

/** Rows fetched per `runs.list` call while scrolling. */
export const PAGE_SIZE = 200;

/** Which pages cover rows `from..to` (inclusive). */
export function pagesFor(from: number, to: number, pageSize = PAGE_SIZE): number[] {
  if (to < from) return [];
  const first = Math.floor(Math.max(0, from) / pageSize);
  const last = Math.floor(Math.max(0, to) / pageSize);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** A sparse, paged view of a run list: rows arrive page by page as the user scrolls. */
export class RunPages {
  private readonly pages = new Map<number, readonly RunSummary[]>();
  constructor(
    readonly total: number,
    readonly pageSize = PAGE_SIZE,
  ) {}

  has(page: number): boolean {
    return this.pages.has(page);
  }

  with(page: number, runs: readonly RunSummary[]): RunPages {
    const next = new RunPages(this.total, this.pageSize);
    for (const [k, v] of this.pages) next.pages.set(k, v);
    next.pages.set(page, runs);
    return next;
  }

  /** The run at a row, or undefined while its page loads. */
  at(index: number): RunSummary | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Replaces one run in place (an event carried its new state); returns null when it is not loaded. */
  patched(run: RunSummary): RunPages | null {
    for (const [k, rows] of this.pages) {
      const i = rows.findIndex((r) => r.id === run.id);
      if (i >= 0) return this.with(k, rows.with(i, run));
    }
    return null;
  }

  /** Every loaded run (for selection by id). */
  loaded(): RunSummary[] {
    return [...this.pages.values()].flat();
  }
}
