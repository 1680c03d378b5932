import { useState } from 'react';
import { useApi } from '../api/context';
import { useSubmit } from '../api/use-submit';
import { ErrorBanner } from '../components/error-banner';
import { TextField } from '../components/field';

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
  const { submit: change, error } = useSubmit(async (add: string[], remove: string[]) => {
    await api.invoke('runs.tag', { id: runId, add, remove });
    onChanged();
  });
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
        <TextField
          id={`tag-${runId}`}
          label="Add tag"
          value={text}
          onChange={setText}
          placeholder="baseline"
        />
      </form>
      <ErrorBanner error={error} />
    </div>
  );
}
