import { useEffect, useRef, useState } from 'react';
import type { ExampleView } from '#shared/domain/dataset';
import { useQuery } from '../api/use-query';
import { ErrorBanner } from '../components/error-banner';
import { applyWindow, WINDOW_PRESETS, windowLut } from './windowing';

/** The full-size image of an example in a modal dialog, with window presets and sliders. */
export function ImageViewer({ example, onClose }: { example: ExampleView; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const source = useRef<ImageData | null>(null);
  const { data, error } = useQuery('datasets.image', { hash: example.imageHash ?? '' });
  const [center, setCenter] = useState(127.5);
  const [width, setWidth] = useState(255);
  const [loaded, setLoaded] = useState(0);

  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  useEffect(() => {
    if (!data) return;
    const img = new Image();
    img.onload = () => {
      const c = canvas.current;
      const ctx = c?.getContext('2d', { willReadFrequently: true });
      if (!c || !ctx) return;
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      ctx.drawImage(img, 0, 0);
      source.current = ctx.getImageData(0, 0, c.width, c.height);
      setLoaded((n) => n + 1);
    };
    img.src = data.dataUrl;
  }, [data]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `loaded` redraws once the image arrives
  useEffect(() => {
    const src = source.current;
    const ctx = canvas.current?.getContext('2d');
    if (!src || !ctx) return;
    const out = new ImageData(new Uint8ClampedArray(src.data), src.width, src.height);
    applyWindow(out.data, windowLut(center, width));
    ctx.putImageData(out, 0, 0);
  }, [center, width, loaded]);

  const question = example.inputs.question ?? example.prompt;
  return (
    <dialog ref={dialog} className="viewer" aria-label="Image viewer" onClose={onClose}>
      <header>
        <h2>Example {example.ordinal}</h2>
        <button type="button" aria-label="Close image viewer" onClick={() => dialog.current?.close()}>
          ×
        </button>
      </header>
      <ErrorBanner error={error} />
      <canvas ref={canvas} aria-label={`Image: ${question}`} />
      <p>
        {question} <strong>{example.target}</strong>
        {data && (
          <span className="hint">
            {' '}
            ({data.width}×{data.height} px)
          </span>
        )}
      </p>
      <fieldset className="row plain" aria-label="Window presets">
        {WINDOW_PRESETS.map((p) => (
          <button
            key={p.label}
            type="button"
            aria-pressed={p.center === center && p.width === width}
            onClick={() => {
              setCenter(p.center);
              setWidth(p.width);
            }}
          >
            {p.label}
          </button>
        ))}
      </fieldset>
      <div className="row">
        <label>
          Window level{' '}
          <input
            type="range"
            min={0}
            max={255}
            value={center}
            onChange={(e) => setCenter(Number(e.target.value))}
          />
        </label>
        <label>
          Window width{' '}
          <input
            type="range"
            min={1}
            max={255}
            value={width}
            onChange={(e) => setWidth(Number(e.target.value))}
          />
        </label>
      </div>
    </dialog>
  );
}
