/** Configure and queue a fine-tune or a sweep. */
export function NewExperimentPage({ params }: { params: URLSearchParams }) {
  return (
    <section>
      <h1>New experiment</h1>
      <p className="hint">{params.get('dataset') ?? ''}</p>
    </section>
  );
}
