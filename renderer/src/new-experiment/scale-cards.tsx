import type { ResourceEstimate } from '#shared/domain/experiment';
import { PRESET_NAMES, type PresetName } from '#shared/model/presets';
import { formatBytes, formatDuration, formatParams } from '../format';
import { scaleKind } from './estimate';

interface Props {
  readonly selected: ReadonlySet<PresetName>;
  readonly estimates: ReadonlyMap<PresetName, ResourceEstimate>;
  readonly onToggle: (scale: PresetName, on: boolean) => void;
  /** Imported weights of a custom shape as the start: one card, their architecture, instead of eight. */
  readonly fromWeights?: { readonly name: string; readonly params: number } | null;
}

const pace = (s: number) => (s < 1 ? `${s.toFixed(2)} s/step` : `${s.toFixed(0)} s/step`);

/** A card's parameters, memory and time. */
function Facts({ id, params, e }: { id?: string; params: number; e: ResourceEstimate | undefined }) {
  return (
    <dl id={id}>
      <dt>Parameters</dt>
      <dd>{formatParams(params)}</dd>
      {e && (
        <>
          <dt>Memory</dt>
          <dd>{formatBytes(e.memoryBytes)}</dd>
          <dt>Time</dt>
          <dd>
            ~{formatDuration(e.totalSeconds)} on {e.backend} ({pace(e.secondsPerStep)})
          </dd>
        </>
      )}
    </dl>
  );
}

/** One card per scale (paper scales and CPU rungs); tick several to sweep over scales. */
export function ScaleCards({ selected, estimates, onToggle, fromWeights }: Props) {
  if (fromWeights) {
    const scale = [...selected][0] ?? 'cpu-xs';
    const e = estimates.get(scale);
    return (
      <fieldset className="scale-cards">
        <legend className="sr-only">Model scale</legend>
        <section className="scale-card weights-card" aria-label={`Architecture of ${fromWeights.name}`}>
          <span className="row" style={{ margin: 0 }}>
            <span className="name">custom</span>
            <span className="hint">the architecture of imported weights "{fromWeights.name}"</span>
          </span>
          <Facts params={fromWeights.params} e={e} />
          <p className="hint">
            Training recipe defaults of {scale}; pick "None" as initial weights to choose a scale.
          </p>
        </section>
      </fieldset>
    );
  }
  return (
    <fieldset className="scale-cards">
      <legend className="sr-only">Model scale</legend>
      {PRESET_NAMES.map((scale) => {
        const e = estimates.get(scale);
        return (
          <label key={scale} className={`scale-card${e && !e.fits ? ' unfit-card' : ''}`}>
            <span className="row" style={{ margin: 0 }}>
              <input
                type="checkbox"
                checked={selected.has(scale)}
                onChange={(ev) => onToggle(scale, ev.target.checked)}
                aria-describedby={`scale-${scale}-facts`}
              />
              <span className="name">{scale}</span>
              <span className="hint">{scaleKind(scale)}</span>
            </span>
            {e && <Facts id={`scale-${scale}-facts`} params={e.params} e={e} />}
            {e && !e.fits && (
              <p className="unfit" role="note">
                {e.advice ?? `Needs more memory than this machine has (${formatBytes(e.deviceMemoryBytes)}).`}
              </p>
            )}
          </label>
        );
      })}
    </fieldset>
  );
}
