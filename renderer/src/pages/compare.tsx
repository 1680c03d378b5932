import { EmptyState } from '../components/empty-state';

/** Runs side by side. */
export function ComparePage() {
  return (
    <section>
      <h1>Compare</h1>
      <EmptyState title="Nothing selected to compare">
        Select two or more runs on the <a href="#/experiments">Experiments</a> page to see their metrics,
        curves and the scaling view side by side.
      </EmptyState>
    </section>
  );
}
