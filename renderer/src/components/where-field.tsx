import { useState } from 'react';
import type { ClusterProfile } from '#shared/domain/cluster';
import { useQuery } from '../api/use-query';
import { SelectField } from './field';

/** One option naming a cluster profile: partition, GPUs, time limit. */
export function clusterOption(c: ClusterProfile): { value: string; label: string } {
  return {
    value: c.name,
    label: `Cluster ${c.name} (${c.partition ?? 'default partition'}, ${c.gpus > 0 ? `${c.gpus} GPU, ` : ''}${c.timeLimit})`,
  };
}

/** The choice in effect: the user's, else the preferred cluster where it still exists, else here (''). */
export function effectiveWhere(
  picked: string | null,
  preferred: string | undefined,
  names: ReadonlySet<string>,
): string {
  if (picked !== null) return picked;
  return preferred && names.has(preferred) ? preferred : '';
}

/**
 * Where an evaluation is decoded: this computer ('') or a cluster profile's name. `preferred` is
 * in effect until the user picks (a cluster run's own cluster, where its checkpoints are).
 * `cluster` is the argument of `evaluations.create`.
 */
export function useWhere(preferred?: string) {
  const { data } = useQuery('clusters.list', {});
  const [picked, setPicked] = useState<string | null>(null);
  const clusters = data ?? [];
  const where = effectiveWhere(picked, preferred, new Set(clusters.map((c) => c.name)));
  return {
    where,
    cluster: where ? { cluster: where } : {},
    field: { clusters, value: where, onChange: setPicked },
  };
}

/** The "Where" select of an evaluation form (see {@link useWhere}). */
export function WhereField({
  id,
  clusters,
  value,
  onChange,
}: {
  id: string;
  clusters: readonly ClusterProfile[];
  value: string;
  onChange: (where: string) => void;
}) {
  return (
    <SelectField
      id={id}
      label="Where"
      value={value}
      options={[{ value: '', label: 'This computer' }, ...clusters.map(clusterOption)]}
      hint={
        value
          ? 'A Slurm job there; predictions come back here'
          : clusters.length === 0
            ? 'Add clusters in Settings'
            : undefined
      }
      onChange={onChange}
    />
  );
}
