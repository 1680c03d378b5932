import { EmptyState } from '../components/empty-state';

/** Runs side by side. */
export function ComparePage({ ids }: { ids: readonly string[] }) {
  return (
    <section>
      <h1>Compare</h1>
      {ids.length < 2 && (
        <EmptyState title="Nothing selected to compare">
          Select two or more runs on the <a href="#/experiments">Experiments</a> page to see their metrics,
          curves and the scaling view side by side.
        </EmptyState>
      )}
    </section>
  );
}
