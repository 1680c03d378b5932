import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import type { RunSummary } from '#shared/domain/run';
import { COLUMNS, GRID_TEMPLATE, ROW_HEIGHT, TABLE_MIN_WIDTH } from './columns';
import type { RunPages } from './run-pages';
import { PlaceholderRow, RunRow } from './run-row';
import type { RunFilter } from './use-run-list';

interface Props {
  readonly pages: RunPages;
  readonly filter: RunFilter;
  readonly selected: ReadonlySet<string>;
  readonly openId: string | null;
  readonly ensure: (from: number, to: number) => void;
  readonly onSort: (sort: string) => void;
  readonly onSelect: (id: string, on: boolean) => void;
  readonly onOpen: (id: string) => void;
  readonly onStar: (run: RunSummary) => void;
}

/** The virtualised run table: only the rows in view (plus a few) are in the DOM. */
export function RunTable(p: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: p.pages.total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 6,
  });
  const items = v.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items.at(-1)?.index ?? 0;
  const { ensure } = p;
  useEffect(() => ensure(first, last + 50), [ensure, first, last]);

  return (
    <div ref={scroller} className="vscroll" data-testid="history-scroller">
      <table
        aria-label="Runs"
        aria-rowcount={p.pages.total + 1}
        className="vtable"
        style={{ minWidth: TABLE_MIN_WIDTH }}
      >
        <thead>
          <tr aria-rowindex={1} className="vhead" style={{ gridTemplateColumns: GRID_TEMPLATE }}>
            {COLUMNS.map((c) => {
              const active = c.sort !== null && p.filter.sort === c.sort;
              const dir = p.filter.order === 'asc' ? 'ascending' : 'descending';
              return (
                <th key={c.id} aria-sort={active ? dir : undefined}>
                  {c.sort ? (
                    <button type="button" className="link" onClick={() => p.onSort(c.sort)}>
                      {c.label}
                      {active ? (p.filter.order === 'asc' ? ' ▲' : ' ▼') : ''}
                    </button>
                  ) : c.id === 'tags' ? (
                    <span className="vhead-label">{c.label}</span>
                  ) : (
                    <span className="sr-only">{c.label}</span>
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody style={{ height: v.getTotalSize() }}>
          {items.map((item) => {
            const run = p.pages.at(item.index);
            return run ? (
              <RunRow
                key={run.id}
                run={run}
                index={item.index}
                top={item.start}
                selected={p.selected.has(run.id)}
                open={p.openId === run.id}
                onSelect={p.onSelect}
                onOpen={p.onOpen}
                onStar={p.onStar}
              />
            ) : (
              <PlaceholderRow key={`p${item.index}`} index={item.index} top={item.start} />
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
