import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '#shared/model/config';
import { isCpuRung, PRESETS, type PresetName } from '#shared/model/presets';
import { type BackendInfo, type BackendName, initBackend } from './backend';
import {
  isWeightsOnly,
  loadWeightsInto,
  readAdamState,
  readMeta,
  readModelFile,
  saveCheckpoint,
} from './checkpoint/checkpoint';
import type { SafetensorsFile } from './checkpoint/safetensors';
import type { DecodeOptions } from './decode/constraints';
import { scoreCandidates } from './decode/score';
import { beamSearch, greedy } from './decode/search';
import { makeContext } from './model/context';
import { createWeights, disposeWeights, type ModelWeights } from './model/weights';
import { Tokenizer, trimmedVocabFor } from './tokenizer/tokenizer';
import { loadFairseqVocab, Vocab, type VocabJson } from './tokenizer/vocab';
import { type AdamState, createAdamState, disposeAdamState } from './train/adamw';
import { answerTrie, type BatchOptions, type Example, type PreparedBatch, prepareBatch } from './train/batch';
import { type DataOrderState, initialOrder, nextIndices } from './train/data-order';
import { type StepResult, type TrainerState, type TrainOptions, trainStep } from './train/step';
import { batchTensors, disposeBatchTensors } from './train/tensors';

/** Where the token id space comes from. */
export type VocabSource =
  /** The published 59,457-id space, read from fairseq's dict.txt at this path. */
  | { readonly kind: 'fairseq'; readonly dictPath: string }
  /** Only the tokens of these texts (sources, targets, candidates) plus specials: the CPU-rung default. */
  | { readonly kind: 'trimmed'; readonly texts: Iterable<string>; readonly withBins?: boolean }
  /** A serialised vocabulary (e.g. from a checkpoint header). */
  | { readonly kind: 'json'; readonly json: VocabJson }
  /** The vocabulary stored in the `init` checkpoint (fine-tuning a previous run). */
  | { readonly kind: 'checkpoint' };

/** Options of {@link createEngineSession}. */
export interface SessionOptions {
  readonly preset: PresetName | ModelConfig;
  readonly seed: number;
  readonly vocab: VocabSource;
  /** Start from this checkpoint's weights (a directory or model.safetensors); the config must match. */
  readonly init?: string;
  /** Backend preference (BIOMED_BACKEND still wins). */
  readonly backend?: BackendName;
  /** Sequence limits used by prepare(). */
  readonly batch?: BatchOptions;
  /** Receives truncation warnings (default console.warn). */
  readonly warn?: (message: string) => void;
}

/** One generated answer. */
export interface Generation {
  readonly text: string;
  readonly tokens: readonly number[];
  readonly score: number;
}

function resolveVocab(src: VocabSource, init: SafetensorsFile | undefined): Vocab {
  if (src.kind === 'fairseq') return loadFairseqVocab(src.dictPath);
  if (src.kind === 'json') return Vocab.fromJSON(src.json);
  if (src.kind === 'checkpoint') {
    if (!init) throw new Error("vocab kind 'checkpoint' needs an init checkpoint");
    return Vocab.fromJSON(readMeta(init).vocab);
  }
  return trimmedVocabFor(src.texts, src.withBins ? { withBins: true } : {});
}

/**
 * A model with its tokenizer, optimizer state and run seed, for one worker process.
 * Not thread-safe; one session per process is the intended use.
 */
export class EngineSession {
  readonly config: ModelConfig;
  readonly tokenizer: Tokenizer;
  readonly weights: ModelWeights;
  readonly seed: number;
  readonly backend: BackendInfo;
  adam: AdamState;
  /** Caller-owned data order, saved with checkpoints. */
  dataOrder: DataOrderState | undefined;
  private readonly batchOpts: BatchOptions;

  constructor(
    config: ModelConfig,
    tokenizer: Tokenizer,
    seed: number,
    backend: BackendInfo,
    batchOpts: BatchOptions = {},
  ) {
    this.config = config;
    this.tokenizer = tokenizer;
    this.seed = seed;
    this.backend = backend;
    this.weights = createWeights(config, seed);
    this.adam = createAdamState();
    this.batchOpts = batchOpts;
  }

  /** Optimizer updates done so far. */
  get step(): number {
    return this.adam.step;
  }

  /**
   * The next `count` example indices of a seeded, epoch-wise shuffled pass over a dataset of
   * `datasetSize` examples; the position is saved with checkpoints so a resumed run continues it.
   */
  nextBatchIndices(datasetSize: number, count: number): number[] {
    if (!this.dataOrder || this.dataOrder.size !== datasetSize)
      this.dataOrder = initialOrder(this.seed, datasetSize);
    const r = nextIndices(this.dataOrder, count);
    this.dataOrder = r.state;
    return r.indices;
  }

  /** Tokenises and pads examples (see prepareBatch). */
  prepare(examples: readonly Example[], opts: BatchOptions = {}): PreparedBatch {
    return prepareBatch(examples, this.tokenizer, this.config, { ...this.batchOpts, ...opts });
  }

  /** The state the training loop (train/loop.ts) updates: these weights and this optimizer state. */
  get trainer(): TrainerState {
    return { config: this.config, weights: this.weights, adam: this.adam, seed: this.seed };
  }

  /** One optimizer update; several batches are accumulated. Throws NonFiniteLossError on NaN/Inf. */
  trainStep(batches: PreparedBatch | readonly PreparedBatch[], opts: TrainOptions): Promise<StepResult> {
    const list = Array.isArray(batches) ? batches : [batches as PreparedBatch];
    return trainStep(this.trainer, list, opts);
  }

  /** Decodes answers (eval mode). Beam search when beamSize > 1; trie-constrained when examples carry candidates. */
  async generate(
    examples: readonly Example[],
    opts: DecodeOptions & { readonly constrained?: boolean } = {},
  ): Promise<Generation[]> {
    // with the question in the decoder, prefixes differ in length: decode one example at a time
    const groups = this.batchOpts.promptInDecoder ? examples.map((e) => [e]) : [examples];
    const out: Generation[] = [];
    for (const g of groups) out.push(...(await this.generateGroup(g, opts)));
    return out;
  }

  private async generateGroup(
    examples: readonly Example[],
    opts: DecodeOptions & { readonly constrained?: boolean },
  ): Promise<Generation[]> {
    const batch = this.prepare(
      examples.map((e) => ({ ...e, target: '' })),
      { constrain: false },
    );
    const prefix = batch.decoderPrefixes[0] ?? [];
    const inputs = batchTensors(batch, this.config);
    const ctx = makeContext(this.config, this.weights, false);
    const tries =
      (opts.constrained ?? true)
        ? examples.map((e) => (e.candidates?.length ? answerTrie(this.tokenizer, e.candidates) : undefined))
        : undefined;
    try {
      const hyps =
        (opts.beamSize ?? 1) > 1
          ? await beamSearch(ctx, inputs, opts, tries, prefix)
          : await greedy(ctx, inputs, opts, tries, prefix);
      return hyps.map((h) => ({ text: this.tokenizer.decode(h.tokens), tokens: h.tokens, score: h.score }));
    } finally {
      disposeBatchTensors(inputs);
    }
  }

  /** OFA "allcand": each example's candidates scored by summed log-prob; returns the argmax text and all scores. */
  async scoreCandidates(
    examples: readonly Example[],
  ): Promise<{ readonly best: string; readonly scores: readonly number[] }[]> {
    const out: { readonly best: string; readonly scores: readonly number[] }[] = [];
    for (const e of examples) {
      const cands = e.candidates ?? [];
      const batch = this.prepare([{ ...e, target: '' }], { constrain: false });
      const inputs = batchTensors(batch, this.config);
      try {
        const r = await scoreCandidates(
          makeContext(this.config, this.weights, false),
          inputs,
          cands.map((c) => this.tokenizer.encode(` ${c}`)),
          answerTrie(this.tokenizer, cands),
          batch.decoderPrefixes[0] ?? [],
        );
        out.push({ best: cands[r.best] ?? '', scores: r.scores });
      } finally {
        disposeBatchTensors(inputs);
      }
    }
    return out;
  }

  /** Decodes and compares with the targets: exact match after trimming and lower-casing. */
  async evaluate(
    examples: readonly Example[],
    opts: DecodeOptions & { readonly constrained?: boolean } = {},
  ): Promise<{ readonly predictions: readonly string[]; readonly exactMatch: number }> {
    const predictions = (await this.generate(examples, opts)).map((g) => g.text);
    const hits = predictions.filter(
      (p, i) => p.trim().toLowerCase() === examples[i]?.target.trim().toLowerCase(),
    ).length;
    return { predictions, exactMatch: examples.length ? hits / examples.length : 0 };
  }

  /** Writes model.safetensors + optimizer.safetensors into `dir`, atomically. */
  save(dir: string, extra?: Record<string, unknown>): Promise<void> {
    return saveCheckpoint(dir, this.weights, this.adam, {
      config: this.config,
      vocab: this.tokenizer.vocab.toJSON(),
      step: this.adam.step,
      seed: this.seed,
      backend: this.backend.name,
      ...(this.dataOrder ? { dataOrder: this.dataOrder } : {}),
      ...(extra ? { extra } : {}),
    });
  }

  /** Frees every tensor of the session. */
  dispose(): void {
    disposeWeights(this.weights);
    disposeAdamState(this.adam);
  }
}

function configOf(preset: PresetName | ModelConfig): ModelConfig {
  return typeof preset === 'string' ? PRESETS[preset] : preset;
}

/**
 * A fresh session: picks the backend, builds the tokenizer (trimmed vocabularies are the default
 * for CPU rungs; the model's vocabSize follows the tokenizer), allocates seeded weights, and
 * optionally loads initial weights from a checkpoint.
 */
export async function createEngineSession(opts: SessionOptions): Promise<EngineSession> {
  const backend = await initBackend(opts.backend ? { prefer: opts.backend } : {});
  const base = configOf(opts.preset);
  if (!isCpuRung(base.name) && opts.vocab.kind === 'trimmed') {
    opts.warn?.(`preset ${base.name} with a trimmed vocabulary cannot load published weights`);
  }
  const initFile = opts.init ? readModelFile(opts.init) : undefined;
  const tokenizer = new Tokenizer(resolveVocab(opts.vocab, initFile), opts.warn);
  const config = { ...base, vocabSize: tokenizer.size };
  const session = new EngineSession(config, tokenizer, opts.seed, backend, opts.batch ?? {});
  if (initFile) {
    try {
      loadWeightsInto(session.weights, initFile, config);
    } catch (err) {
      session.dispose();
      throw err;
    }
  }
  return session;
}

/**
 * Resumes a run from a checkpoint directory: config, vocabulary, seed, weights, optimizer state
 * and data order exactly as saved. Refuses files that are truncated or from another architecture.
 */
export async function loadSession(
  dir: string,
  opts: Pick<SessionOptions, 'backend' | 'batch' | 'warn'> = {},
): Promise<EngineSession> {
  const file = readModelFile(dir);
  const meta = readMeta(file);
  const backend = await initBackend(opts.backend ? { prefer: opts.backend } : {});
  const tokenizer = new Tokenizer(Vocab.fromJSON(meta.vocab), opts.warn);
  if (tokenizer.size !== meta.config.vocabSize)
    throw new Error(`checkpoint vocabulary has ${tokenizer.size} ids, config says ${meta.config.vocabSize}`);
  const session = new EngineSession(meta.config, tokenizer, meta.seed, backend, opts.batch ?? {});
  try {
    loadWeightsInto(session.weights, file, meta.config);
    // imported weights have no optimizer state: they evaluate, and start with fresh Adam moments
    if (!isWeightsOnly(dir, file)) {
      const adam = readAdamState(dir, meta.step);
      disposeAdamState(session.adam);
      session.adam = adam;
    }
    session.dataOrder = meta.dataOrder;
  } catch (err) {
    session.dispose();
    throw err;
  }
  return session;
}

/** Number of live tensors (for leak checks in callers' tests). */
export function liveTensors(): number {
  return tf.memory().numTensors;
}
