import type { ServiceContext } from '#main/services/context';
import { UsageError } from './command';

/** A dataset by id, id prefix, or name (case-insensitive). */
export function resolveDataset(ctx: ServiceContext, ref: string): string {
  const all = ctx.store.datasets.list();
  const hits = all.filter(
    (d) => d.id === ref || d.id.startsWith(ref) || d.name.toLowerCase() === ref.toLowerCase(),
  );
  if (hits.length === 1) return hits[0]!.id;
  const exact = hits.find((d) => d.id === ref);
  if (exact) return exact.id;
  if (hits.length === 0) throw new UsageError(`No dataset "${ref}" (see \`biomed datasets list\`)`);
  throw new UsageError(`"${ref}" matches ${hits.length} datasets: ${hits.map((d) => d.id).join(', ')}`);
}

/** A run by id or unique id prefix. */
export function resolveRun(ctx: ServiceContext, ref: string): string {
  const ids = ctx.store.runs.matchIds(ref);
  if (ids.includes(ref)) return ref;
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) throw new UsageError(`No run "${ref}" (see \`biomed runs list\`)`);
  throw new UsageError(`"${ref}" matches several runs; give more of the id`);
}

/** Imported weights by id, id prefix, or name (case-insensitive). */
export function resolveWeights(ctx: ServiceContext, ref: string): string {
  const all = ctx.store.weights.list();
  const exact = all.find((w) => w.id === ref);
  if (exact) return exact.id;
  const hits = all.filter((w) => w.id.startsWith(ref) || w.name.toLowerCase() === ref.toLowerCase());
  if (hits.length === 1) return hits[0]!.id;
  if (hits.length === 0) throw new UsageError(`No imported weights "${ref}" (see \`biomed weights list\`)`);
  throw new UsageError(
    `"${ref}" matches ${hits.length} imported weights: ${hits.map((w) => w.id).join(', ')}`,
  );
}
