import type { ResourceEstimate } from '#shared/domain/experiment';
import { PRESET_NAMES, type PresetName } from '#shared/model/presets';
import { formatBytes, formatDuration, formatParams } from '../format';
import { scaleKind } from './estimate';

interface Props {
  readonly selected: ReadonlySet<PresetName>;
  readonly estimates: ReadonlyMap<PresetName, ResourceEstimate>;
  readonly onToggle: (scale: PresetName, on: boolean) => void;
}

const pace = (s: number) => (s < 1 ? `${s.toFixed(2)} s/step` : `${s.toFixed(0)} s/step`);

/** One card per scale (paper scales and CPU rungs); tick several to sweep over scales. */
export function ScaleCards({ selected, estimates, onToggle }: Props) {
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
            {e && (
              <dl id={`scale-${scale}-facts`}>
                <dt>Parameters</dt>
                <dd>{formatParams(e.params)}</dd>
                <dt>Memory</dt>
                <dd>{formatBytes(e.memoryBytes)}</dd>
                <dt>Time</dt>
                <dd>
                  ~{formatDuration(e.totalSeconds)} on {e.backend} ({pace(e.secondsPerStep)})
                </dd>
              </dl>
            )}
            {e && !e.fits && (
              <p className="unfit">
                Needs more memory than this machine has ({formatBytes(e.deviceMemoryBytes)}).
              </p>
            )}
          </label>
        );
      })}
    </fieldset>
  );
}
