import { useEffect, useState } from 'react';
import { MetricId } from '#shared/domain/metric';
import { RUN_STATUSES } from '#shared/domain/run';
import { PRESET_NAMES } from '#shared/model/presets';
import { TASK_IDS } from '#shared/tasks';
import { useApi } from '../api/context';
import { useQuery } from '../api/use-query';
import { CheckboxField, SelectField, TextField } from '../components/field';
import type { RunFilter } from './use-run-list';

const one = (v: string): string[] | undefined => (v ? [v] : undefined);

/** A filter's select: "Any" (or `any`) first, then the options; its id follows the label. */
function Select(props: {
  label: string;
  value: string;
  options: readonly (string | readonly [string, string])[];
  onChange: (v: string) => void;
  any?: string;
}) {
  return (
    <SelectField
      id={`filter-${props.label.toLowerCase().replace(/\W+/g, '-')}`}
      label={props.label}
      value={props.value}
      options={[
        { value: '', label: props.any ?? 'Any' },
        ...props.options.map((o) =>
          typeof o === 'string' ? { value: o, label: o } : { value: o[0], label: o[1] },
        ),
      ]}
      onChange={props.onChange}
    />
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
  const api = useApi();
  const { data: tags, reload: reloadTags } = useQuery('runs.tags', {});
  // A tag added or removed in the run panel (or anywhere) is in the filter at once, not after a reload.
  useEffect(() => api.on('onDidChangeRun', () => reloadTags()), [api, reloadTags]);
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
      <TextField
        id="filter-search"
        label="Search"
        className="grow"
        type="search"
        placeholder="Name, id, dataset or note"
        value={search}
        onChange={setSearch}
      />
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
      <TextField
        id="filter-from"
        label="From"
        type="date"
        value={filter.createdAfter?.slice(0, 10) ?? ''}
        onChange={(d) => set({ createdAfter: d ? `${d}T00:00:00.000Z` : undefined })}
      />
      <TextField
        id="filter-to"
        label="To"
        type="date"
        value={filter.createdBefore?.slice(0, 10) ?? ''}
        onChange={(d) => set({ createdBefore: d ? `${d}T23:59:59.999Z` : undefined })}
      />
      <CheckboxField
        id="filter-starred"
        label="Starred only"
        checked={filter.starred === true}
        onChange={(on) => set({ starred: on ? true : undefined })}
      />
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
