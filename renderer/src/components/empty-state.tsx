import type { ReactNode } from 'react';

/** What a page shows when there is nothing yet, and what to do next. */
export function EmptyState({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="empty-state" aria-label={title}>
      <h2>{title}</h2>
      <div>{children}</div>
    </section>
  );
}
