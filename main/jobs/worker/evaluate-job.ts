import { adapterLine, parseBackendName } from '#main/engine/backend/index';
import { type EngineSession, type Example, loadSession } from '#main/engine/index';
import { exactMatch } from '#main/eval/index';
import { backendsNote } from '#main/jobs/probe-noise';
import type { EvaluateJob } from '#main/jobs/protocol';
import type { Decoding } from '#shared/domain/evaluation';
import { parameterCount } from '#shared/model/weight-shapes';
import { taskOf } from '#shared/tasks';
import { asInstruction, toEngineExample } from './engine-examples';
import { ExampleReader } from './examples';
import type { JobContext } from './job-context';
import { InvalidJobError } from './train-setup';

/** One decoded answer. */
interface Decoded {
  readonly text: string;
  readonly score: number;
  /** All-candidate decoding: each candidate's probability (softmax of the summed log-probs). */
  readonly scores: readonly number[] | null;
}

const softmax = (xs: readonly number[]): number[] => {
  const max = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - max));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
};

/**
 * Decodes a batch with the engine: free greedy or beam search, greedy restricted to the candidates
 * by their trie, or every candidate scored (OFA allcand). Scores are summed log-probabilities
 * (fairseq `--unnormalized`, as the VQA-RAD evaluation script runs).
 */
async function decode(session: EngineSession, examples: readonly Example[], d: Decoding): Promise<Decoded[]> {
  if (d.strategy === 'allcand') {
    return (await session.scoreCandidates(examples)).map((r) => ({
      text: r.best,
      score: r.scores.length ? Math.max(...r.scores) : Number.NaN,
      scores: r.scores.length ? softmax(r.scores) : null,
    }));
  }
  const generated = await session.generate(examples, {
    beamSize: d.strategy === 'beam' ? d.beam : 1,
    // the engine counts </s>; never past the decoder's position table (<s> + maxTargetPositions + 1 rows)
    maxLen: Math.min(d.maxLength + 1, session.config.maxTargetPositions + 1),
    lenPenalty: d.lenpen,
    noRepeatNgram: d.noRepeatNgram,
    unnormalized: true,
    constrained: d.strategy === 'trie',
  });
  return generated.map((g) => ({ text: g.text, score: g.score, scores: null }));
}

/**
 * Decodes a checkpoint over one dataset split and streams every prediction, beside its
 * reference, to the host (which stores them and computes the metrics at the end). Candidate
 * answers for trie and all-candidate decoding are the example's own, else the dataset's answer set.
 */
export async function runEvaluateJob(
  job: EvaluateJob,
  ctx: JobContext,
): Promise<{ reason: 'completed' | 'cancelled'; step: number }> {
  const reader = new ExampleReader(job.dbFile, job.blobsDir);
  const backend = parseBackendName(job.backend ?? undefined);
  let session: EngineSession | undefined;
  try {
    const skip = new Set(job.skipExampleIds);
    const stored = reader.split(job.datasetId, job.split);
    // the task script's image normalisation (ImageNet statistics for MedMNIST, else 0.5 / 0.5)
    const imageNorm = stored[0] ? (taskOf(stored[0].task).hyperparameters.imageNorm ?? 'half') : 'half';
    session = await loadSession(job.checkpointPath, {
      ...(backend ? { backend } : {}),
      batch: { imageNorm },
      warn: () => {},
    });
    const all = job.instructionForm ? stored.map(asInstruction) : stored;
    if (all.length === 0) throw new InvalidJobError(`dataset ${job.datasetId} has no ${job.split} examples`);
    const total = Math.min(all.length, job.limit ?? all.length);
    const todo = all.slice(0, total).filter((e) => !skip.has(e.id));
    let done = total - todo.length;
    const answerSet = reader.answerSet(job.datasetId);
    const constrained = job.decoding.strategy === 'trie' || job.decoding.strategy === 'allcand';
    ctx.send({
      type: 'started',
      backend: {
        name: session.backend.name,
        version: session.backend.version,
        // the GPU adapter (vendor, architecture, description, limits) is recorded with the run
        device: session.backend.adapter
          ? `gpu ${adapterLine(session.backend.adapter)}`
          : session.backend.device,
        threads: session.backend.threads,
      },
      params: parameterCount(session.config),
      step: done,
      totalSteps: total,
    });
    ctx.log(backendsNote(session.backend));
    ctx.log(
      `evaluating ${todo.length} ${job.split} examples with ${job.decoding.strategy} decoding (checkpoint step ${session.step})`,
    );
    const started = performance.now();
    for (let i = 0; i < todo.length; i += job.batchSize) {
      await ctx.yieldToHost();
      if (ctx.stopRequested()) return { reason: 'cancelled', step: done };
      const slice = todo.slice(i, i + job.batchSize);
      const examples = await Promise.all(
        slice.map((e) => {
          const own = e.candidates && e.candidates.length > 0 ? e.candidates : null;
          const candidates = constrained ? (own ?? (answerSet.length > 0 ? answerSet : null)) : null;
          return toEngineExample(reader, e, session!.config.imageSize, candidates);
        }),
      );
      const decoded = await decode(session, examples, job.decoding);
      done += slice.length;
      ctx.send({
        type: 'predictions',
        done,
        total,
        rows: slice.map((e, k) => {
          const d = decoded[k]!;
          const scored = taskOf(e.task).metrics.includes('accuracy');
          return {
            exampleId: e.id,
            source: e.source,
            prediction: d.text,
            reference: e.target,
            correct: scored ? exactMatch(d.text, [e.target]) === 1 : null,
            score: Number.isFinite(d.score) ? d.score : null,
            scores: d.scores ? [...d.scores] : null,
          };
        }),
      });
      ctx.send({ type: 'progress', step: done, totalSteps: total });
    }
    const seconds = (performance.now() - started) / 1000;
    ctx.log(
      `decoded ${todo.length} examples in ${seconds.toFixed(1)} s (${(todo.length / Math.max(seconds, 1e-9)).toFixed(1)} examples/s)`,
    );
    return { reason: 'completed', step: done };
  } finally {
    session?.dispose();
    reader.close();
  }
}
