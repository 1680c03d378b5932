import { useState } from 'react';
import { useApi } from '../api/context';
import { ErrorBanner } from '../components/error-banner';

/** A run's tags: remove one with its button, add one by typing and pressing Enter. */
export function TagEditor({
  runId,
  tags,
  onChanged,
}: {
  runId: string;
  tags: readonly string[];
  onChanged: () => void;
}) {
  const api = useApi();
  const [text, setText] = useState('');
  const [error, setError] = useState<Error | undefined>();
  const change = async (add: string[], remove: string[]) => {
    try {
      await api.invoke('runs.tag', { id: runId, add, remove });
      setError(undefined);
      onChanged();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <div className="tags">
      <ul aria-label="Tags" className="inline-list">
        {tags.map((t) => (
          <li key={t} className="badge">
            {t}{' '}
            <button
              type="button"
              className="link"
              aria-label={`Remove tag ${t}`}
              onClick={() => change([], [t])}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim()) change([text.trim()], []).then(() => setText(''));
        }}
      >
        <label htmlFor={`tag-${runId}`}>Add tag</label>{' '}
        <input
          id={`tag-${runId}`}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="baseline"
        />
      </form>
      <ErrorBanner error={error} />
    </div>
  );
}
