import { useEffect, useState } from 'react';
import { type ExampleView, SPLITS, type Split } from '#shared/domain/dataset';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { SelectField, TextField } from '../components/field';
import { ImageViewer } from './image-viewer';

const PAGE = 24;

/** A paged grid of examples: thumbnail, prompt, answer and metadata; a click opens the image. */
export function ExampleGrid({ datasetId }: { datasetId: string }) {
  const [split, setSplit] = useState<Split | ''>('');
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [offset, setOffset] = useState(0);
  const [viewing, setViewing] = useState<ExampleView | null>(null);
  useEffect(() => {
    const t = setTimeout(() => setQuery(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter starts at the first page
  useEffect(() => setOffset(0), [split, query]);
  const { data, error } = useQuery('datasets.examples', {
    id: datasetId,
    offset,
    limit: PAGE,
    ...(split ? { split } : {}),
    ...(query ? { search: query } : {}),
  });
  const total = data?.total ?? 0;
  return (
    <section aria-label="Examples">
      <h2>Examples</h2>
      <div className="row">
        <SelectField<Split | ''>
          id="ex-split"
          label="Split"
          value={split}
          options={[{ value: '', label: 'All splits' }, ...SPLITS]}
          onChange={setSplit}
        />
        <TextField
          id="ex-search"
          label="Search examples"
          className="grow"
          type="search"
          value={search}
          onChange={setSearch}
        />
      </div>
      <ErrorBanner error={error} />
      <ul className="example-grid">
        {(data?.examples ?? []).map((ex) => (
          <li key={ex.id} className="example-card">
            {ex.thumbnail ? (
              <button
                type="button"
                className="thumb"
                onClick={() => setViewing(ex)}
                aria-label={`View image of example ${ex.ordinal}`}
              >
                <img src={ex.thumbnail} alt="" />
              </button>
            ) : (
              <div className="thumb none">no image</div>
            )}
            <div className="example-text">
              <p className="prompt">{ex.inputs.question ?? ex.prompt}</p>
              <p>
                <strong>{ex.target}</strong>
              </p>
              <p className="meta">
                {ex.split}
                {Object.entries(ex.meta)
                  .filter(([, v]) => v !== null && v !== '')
                  .slice(0, 4)
                  .map(([k, v]) => ` · ${k}: ${String(v)}`)}
              </p>
            </div>
          </li>
        ))}
      </ul>
      <nav className="pager" aria-label="Example pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
          Previous page
        </button>
        <span>
          {total === 0
            ? 'No examples'
            : `${offset + 1}–${Math.min(total, offset + PAGE)} of ${total.toLocaleString()}`}
        </span>
        <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
          Next page
        </button>
      </nav>
      {viewing?.imageHash && <ImageViewer example={viewing} onClose={() => setViewing(null)} />}
    </section>
  );
}
