import type { EvaluationSummary } from '#shared/domain/evaluation';
import type { RunSummary } from '#shared/domain/run';
import type { RunProgressBatch } from './progress-sink';

/**
 * What the scheduler reports; the services forward these as the API events `onDidChangeRun`,
 * `onDidRunProgress` and `onDidChangeEvaluation` (main/jobs may not import main/services).
 */
export interface SchedulerEvents {
  runChanged(run: RunSummary): void;
  runProgress(batch: RunProgressBatch): void;
  evaluationChanged(evaluation: EvaluationSummary): void;
}

/** Events that go nowhere (tests, one-shot CLI commands that poll the store). */
export const NO_EVENTS: SchedulerEvents = {
  runChanged: () => {},
  runProgress: () => {},
  evaluationChanged: () => {},
};
