import { initBackend, parseBackendName } from '#main/engine/backend/index';
import { Tokenizer } from '#main/engine/tokenizer/tokenizer';
import { prepareBatch } from '#main/engine/train/batch';
import { exactMatch } from '#main/eval/index';
import { parameterCount } from '#shared/model/weight-shapes';
import { taskOf } from '#shared/tasks';
import type { EvaluateJob } from '../protocol';
import { decodeBatch } from './decode';
import { toEngineExample } from './engine-examples';
import { ExampleReader } from './examples';
import type { JobContext } from './job-context';
import { loadTrainingCheckpoint } from './model-checkpoint';
import { InvalidJobError } from './train-job';

/**
 * Decodes a checkpoint over one dataset split and streams every prediction, beside its
 * reference, to the host (which stores them and computes the metrics at the end). Candidate
 * answers for trie and all-candidate decoding are the example's own, else the dataset's answer set.
 */
export async function runEvaluateJob(
  job: EvaluateJob,
  ctx: JobContext,
): Promise<{ reason: 'completed' | 'cancelled'; step: number }> {
  const prefer = parseBackendName(job.backend ?? undefined);
  const backend = await initBackend(prefer ? { prefer } : {});
  const reader = new ExampleReader(job.dbFile, job.blobsDir);
  try {
    const ck = loadTrainingCheckpoint(job.checkpointPath, false);
    const tokenizer = new Tokenizer(ck.vocab, () => {});
    const skip = new Set(job.skipExampleIds);
    const all = reader.split(job.datasetId, job.split);
    if (all.length === 0) throw new InvalidJobError(`dataset ${job.datasetId} has no ${job.split} examples`);
    const todo = all.slice(0, job.limit ?? all.length).filter((e) => !skip.has(e.id));
    const total = Math.min(all.length, job.limit ?? all.length);
    let done = total - todo.length;
    const answerSet = reader.answerSet(job.datasetId);
    const constrained = job.decoding.strategy === 'trie' || job.decoding.strategy === 'allcand';
    ctx.send({
      type: 'started',
      backend: {
        name: backend.name,
        version: backend.version,
        device: backend.device,
        threads: backend.threads,
      },
      params: parameterCount(ck.config),
      step: done,
      totalSteps: total,
    });
    ctx.log(
      `evaluating ${todo.length} ${job.split} examples with ${job.decoding.strategy} decoding (checkpoint step ${ck.step})`,
    );
    const started = performance.now();
    for (let i = 0; i < todo.length; i += job.batchSize) {
      await ctx.yieldToHost();
      if (ctx.stopRequested()) return { reason: 'cancelled', step: done };
      const slice = todo.slice(i, i + job.batchSize);
      const candidates = slice.map((e) =>
        constrained
          ? e.candidates && e.candidates.length > 0
            ? e.candidates
            : answerSet.length > 0
              ? answerSet
              : null
          : null,
      );
      const examples = await Promise.all(
        slice.map((e) => toEngineExample(reader, e, ck.config.imageSize, null)),
      );
      const batch = prepareBatch(examples, tokenizer, ck.config, { constrain: false });
      const decoded = decodeBatch(
        { config: ck.config, weights: ck.weights, tokenizer },
        batch,
        candidates,
        job.decoding,
      );
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
    reader.close();
  }
}
