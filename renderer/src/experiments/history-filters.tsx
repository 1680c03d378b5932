import { useEffect, useState } from 'react';
import { MetricId } from '#shared/domain/metric';
import { RUN_STATUSES } from '#shared/domain/run';
import { PRESET_NAMES } from '#shared/model/presets';
import { TASK_IDS } from '#shared/tasks';
import { useQuery } from '../api/use-query';
import type { RunFilter } from './use-run-list';

const one = (v: string): string[] | undefined => (v ? [v] : undefined);

function Select(props: {
  label: string;
  value: string;
  options: readonly (string | readonly [string, string])[];
  onChange: (v: string) => void;
  any?: string;
}) {
  const id = `filter-${props.label.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        <option value="">{props.any ?? 'Any'}</option>
        {props.options.map((o) => {
          const [value, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={value} value={value}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}

/** Search, filters and metric sort of History; the search is debounced. */
export function HistoryFilters({
  filter,
  onChange,
}: {
  filter: RunFilter;
  onChange: (f: RunFilter) => void;
}) {
  const { data: datasets } = useQuery('datasets.list', {});
  const { data: tags } = useQuery('runs.tags', {});
  const [search, setSearch] = useState(filter.search ?? '');
  useEffect(() => {
    const t = setTimeout(() => {
      if ((filter.search ?? '') !== search) onChange({ ...filter, search: search || undefined });
    }, 200);
    return () => clearTimeout(t);
  }, [search, filter, onChange]);
  const set = (patch: Partial<RunFilter>) => onChange({ ...filter, ...patch });
  const sort =
    typeof filter.sort === 'string' && filter.sort.startsWith('metric:') ? filter.sort.slice(7) : '';
  return (
    <fieldset className="filters" aria-label="Filter runs">
      <div className="field grow">
        <label htmlFor="filter-search">Search</label>
        <input
          id="filter-search"
          type="search"
          placeholder="Name, id, dataset or note"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
      </div>
      <Select
        label="Status"
        value={filter.status?.[0] ?? ''}
        options={RUN_STATUSES}
        onChange={(v) => set({ status: one(v) as RunFilter['status'] })}
      />
      <Select
        label="Task"
        value={filter.task?.[0] ?? ''}
        options={TASK_IDS}
        onChange={(v) => set({ task: one(v) })}
      />
      <Select
        label="Dataset"
        value={filter.datasetId?.[0] ?? ''}
        options={(datasets ?? []).map((d) => [d.id, d.name] as const)}
        onChange={(v) => set({ datasetId: one(v) })}
      />
      <Select
        label="Scale"
        value={filter.scale?.[0] ?? ''}
        options={PRESET_NAMES}
        onChange={(v) => set({ scale: one(v) })}
      />
      <Select
        label="Tag"
        value={filter.tag?.[0] ?? ''}
        options={tags ?? []}
        onChange={(v) => set({ tag: one(v) })}
      />
      <div className="field">
        <label htmlFor="filter-from">From</label>
        <input
          id="filter-from"
          type="date"
          value={filter.createdAfter?.slice(0, 10) ?? ''}
          onChange={(e) =>
            set({ createdAfter: e.target.value ? `${e.target.value}T00:00:00.000Z` : undefined })
          }
        />
      </div>
      <div className="field">
        <label htmlFor="filter-to">To</label>
        <input
          id="filter-to"
          type="date"
          value={filter.createdBefore?.slice(0, 10) ?? ''}
          onChange={(e) =>
            set({ createdBefore: e.target.value ? `${e.target.value}T23:59:59.999Z` : undefined })
          }
        />
      </div>
      <div className="field checkbox">
        <input
          id="filter-starred"
          type="checkbox"
          checked={filter.starred === true}
          onChange={(e) => set({ starred: e.target.checked ? true : undefined })}
        />
        <label htmlFor="filter-starred">Starred only</label>
      </div>
      <Select
        label="Sort by metric"
        any="(column sort)"
        value={sort}
        options={MetricId.options.flatMap((m) => [
          [`test/${m}`, `${m} (test)`] as const,
          [`validation/${m}`, `${m} (validation)`] as const,
        ])}
        onChange={(v) => set({ sort: v ? `metric:${v}` : 'createdAt', order: 'desc' })}
      />
    </fieldset>
  );
}
