import { memo } from 'react';
import type { RunSummary } from '#shared/domain/run';
import { ClusterBadge } from '../components/cluster-badge';
import { formatDateTime, formatParams } from '../format';
import { GRID_TEMPLATE, ROW_HEIGHT } from './columns';

interface Props {
  readonly run: RunSummary;
  readonly index: number;
  readonly top: number;
  readonly selected: boolean;
  readonly open: boolean;
  readonly onSelect: (id: string, on: boolean) => void;
  readonly onOpen: (id: string) => void;
  readonly onStar: (run: RunSummary) => void;
}

/** One run in History: checkbox, star, name (opens the details panel) and its facts. */
export const RunRow = memo(function RunRow({
  run,
  index,
  top,
  selected,
  open,
  onSelect,
  onOpen,
  onStar,
}: Props) {
  return (
    <tr
      aria-rowindex={index + 2}
      aria-selected={open}
      className="vrow"
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT, gridTemplateColumns: GRID_TEMPLATE }}
    >
      <td>
        <input
          type="checkbox"
          aria-label={`Select ${run.name}`}
          checked={selected}
          onChange={(e) => onSelect(run.id, e.target.checked)}
        />
      </td>
      <td>
        <button
          type="button"
          className={`star${run.starred ? ' on' : ''}`}
          aria-pressed={run.starred}
          aria-label={`Star ${run.name}`}
          onClick={() => onStar(run)}
        >
          {run.starred ? '★' : '☆'}
        </button>
      </td>
      <td className="ellipsis">
        <button type="button" className="link" title={run.name} onClick={() => onOpen(run.id)}>
          <ClusterBadge run={run} />
          {run.name}
        </button>
      </td>
      <td>
        <span className={`status status-${run.status}`}>{run.status}</span>
      </td>
      <td>{run.scale}</td>
      <td className="ellipsis">{run.task}</td>
      <td className="ellipsis">{run.datasetName ?? ''}</td>
      <td className="ellipsis" title={run.bestMetricName ?? undefined}>
        {run.bestMetric === null ? '' : `${run.bestMetricName} ${run.bestMetric.toFixed(3)}`}
      </td>
      <td>{formatParams(run.params)}</td>
      <td className="ellipsis">{formatDateTime(run.createdAt)}</td>
      <td className="ellipsis">
        {run.tags.map((t) => (
          <span key={t} className="badge">
            {t}
          </span>
        ))}
      </td>
    </tr>
  );
});

/** A row whose page is still loading. */
export function PlaceholderRow({ index, top }: { index: number; top: number }) {
  return (
    <tr
      aria-rowindex={index + 2}
      className="vrow placeholder"
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT, gridTemplateColumns: GRID_TEMPLATE }}
    >
      <td>…</td>
    </tr>
  );
}
