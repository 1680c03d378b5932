import { EmptyState } from '../components/empty-state';

/** Zero-shot evaluation of a checkpoint on datasets it never saw. */
export function ZeroShotPage() {
  return (
    <section>
      <h1>Zero-shot</h1>
      <EmptyState title="No zero-shot evaluations yet">
        A zero-shot evaluation needs a trained checkpoint: finish a run first, then pick it here with datasets
        it has never seen.
      </EmptyState>
    </section>
  );
}
