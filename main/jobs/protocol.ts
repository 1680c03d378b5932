import { z } from 'zod';
import { Decoding } from '#shared/domain/evaluation';
import { TrainHyperparameters } from '#shared/domain/hyperparameters';

/**
 * The typed, versioned message protocol between the main process (host) and an engine worker.
 * Every message is a discriminated union member on `type` and carries the protocol version `v`;
 * either side refuses a message of another version instead of guessing. Tensors never cross.
 */
export const PROTOCOL_VERSION = 1;

const v = z.literal(PROTOCOL_VERSION);

/** One dataset of a (possibly single-entry) training mixture. */
export const MixtureEntry = z.object({
  datasetId: z.string(),
  /** Relative sampling weight within the mixture. */
  weight: z.number().positive(),
  /** Turn every example into instruction form (instruction tuning). */
  instruction: z.boolean(),
});
export type MixtureEntry = z.infer<typeof MixtureEntry>;

/** Paths a worker may use; it opens the database read-only. */
const Paths = z.object({ dbFile: z.string(), blobsDir: z.string() });

/** Fine-tune (or instruction-tune) a model; resumable from a checkpoint. */
export const TrainJob = Paths.extend({
  type: z.literal('train'),
  runId: z.string(),
  runDir: z.string(),
  task: z.string(),
  scale: z.string(),
  mixture: z.array(MixtureEntry).min(1),
  hyper: TrainHyperparameters,
  /** Start from another run's checkpoint (fine-tune a tuned model); null = random initialisation. */
  initCheckpoint: z.string().nullable(),
  /** Continue this run from its own checkpoint (resume after pause, crash or failure). */
  resumeCheckpoint: z.string().nullable(),
  /** Backend to prefer (BIOMED_BACKEND still wins). */
  backend: z.string().nullable(),
});
export type TrainJob = z.infer<typeof TrainJob>;

/** Decode a checkpoint over a dataset split and stream the predictions back. */
export const EvaluateJob = Paths.extend({
  type: z.literal('evaluate'),
  evaluationId: z.string(),
  checkpointPath: z.string(),
  datasetId: z.string(),
  split: z.enum(['train', 'validation', 'test']),
  decoding: Decoding,
  batchSize: z.number().int().positive(),
  /** Examples already predicted by an interrupted attempt. */
  skipExampleIds: z.array(z.number().int()),
  /** Evaluate only the first N examples (quick looks, tests). */
  limit: z.number().int().positive().nullable(),
  /** Prompt every example in instruction form (models that were instruction-tuned). */
  instructionForm: z.boolean().default(false),
  backend: z.string().nullable(),
});
export type EvaluateJob = z.infer<typeof EvaluateJob>;

/** What a worker can be asked to run. */
export const JobSpec = z.discriminatedUnion('type', [TrainJob, EvaluateJob]);
export type JobSpec = z.infer<typeof JobSpec>;

/** Messages the host sends to a worker. */
export const HostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), v, job: JobSpec }),
  /** Stop at the next step boundary; `pause` writes a checkpoint first so the run can resume. */
  z.object({ type: z.literal('cancel'), v, mode: z.enum(['cancel', 'pause']) }),
]);
export type HostMessage = z.infer<typeof HostMessage>;

/** One metric value as a worker reports it. */
export const MetricPointMessage = z.object({
  name: z.string(),
  step: z.number().int(),
  value: z.number(),
  wallTime: z.number(),
});

/** One decoded example. */
export const PredictionMessage = z.object({
  exampleId: z.number().int(),
  source: z.string(),
  prediction: z.string(),
  reference: z.string(),
  correct: z.boolean().nullable(),
  score: z.number().nullable(),
  scores: z.array(z.number()).nullable(),
});

/** Messages a worker sends to the host. */
export const WorkerMessage = z.discriminatedUnion('type', [
  /** The job began: what it runs on and how long it is. */
  z.object({
    type: z.literal('started'),
    v,
    backend: z.object({ name: z.string(), version: z.string(), device: z.string(), threads: z.number() }),
    params: z.number().int().nullable(),
    step: z.number().int(),
    totalSteps: z.number().int().nullable(),
  }),
  z.object({
    type: z.literal('progress'),
    v,
    step: z.number().int(),
    totalSteps: z.number().int().nullable(),
    /** WebGPU runs, once: compute dispatches in one train step (recorded with the backend line). */
    dispatchesPerStep: z.number().int().nonnegative().optional(),
  }),
  z.object({ type: z.literal('metrics'), v, points: z.array(MetricPointMessage) }),
  z.object({ type: z.literal('log'), v, level: z.enum(['info', 'warn', 'error']), line: z.string() }),
  /** A checkpoint file is complete on disk (written atomically). */
  z.object({
    type: z.literal('checkpoint'),
    v,
    step: z.number().int(),
    path: z.string(),
    bytes: z.number().int(),
  }),
  z.object({
    type: z.literal('predictions'),
    v,
    rows: z.array(PredictionMessage),
    done: z.number().int(),
    total: z.number().int(),
  }),
  z.object({
    type: z.literal('done'),
    v,
    reason: z.enum(['completed', 'cancelled', 'paused']),
    step: z.number().int(),
  }),
  z.object({
    type: z.literal('error'),
    v,
    kind: z.enum(['disk_full', 'out_of_memory', 'invalid_input', 'internal']),
    message: z.string(),
  }),
]);
export type WorkerMessage = z.infer<typeof WorkerMessage>;

/** Parses a message from the other side; a wrong version is named as such. */
export function parseMessage<T extends z.ZodType>(schema: T, raw: unknown): z.output<T> {
  const version = (raw as { v?: unknown } | null)?.v;
  if (version !== PROTOCOL_VERSION) {
    throw new Error(
      `worker protocol version mismatch: got ${String(version)}, expected ${PROTOCOL_VERSION} (mixed builds?)`,
    );
  }
  return schema.parse(raw);
}
