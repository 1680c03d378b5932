import type { EvaluationSummary, PipelinePreset } from '#shared/domain/evaluation';
import { describeDecoding, describePipeline, pipelineLabel } from '#shared/evaluation-pipelines';
import { SelectField } from './field';

/** How an evaluation's figures were made, beside them: decoding, normalisation, metric variant. */
export function PipelineNote({ e }: { e: EvaluationSummary }) {
  return (
    <span className="pipeline" title={describePipeline(e.pipeline)}>
      {describeDecoding(e.decoding)}
      <span className="hint"> · {pipelineLabel(e.pipeline)}</span>
    </span>
  );
}

/** The metric pipeline of a new evaluation: the released script's (default) or raw text. */
export function PipelineChoice({
  id,
  value,
  onChange,
}: {
  id: string;
  value: PipelinePreset;
  onChange: (v: PipelinePreset) => void;
}) {
  return (
    <SelectField
      id={id}
      label="Metrics"
      value={value}
      options={[
        { value: 'released', label: 'as the released script' },
        { value: 'raw', label: 'raw text' },
      ]}
      onChange={onChange}
    />
  );
}
