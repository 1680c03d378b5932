import * as tf from '@tensorflow/tfjs-core';
import type { ModelWeights } from '#main/engine/model/weights';
import { Vocab } from '#main/engine/tokenizer/vocab';
import type { AdamState } from '#main/engine/train/adamw';
import { type ModelConfig, ModelConfigSchema } from '#shared/model/config';
import { storedWeights } from '#shared/model/weight-shapes';
import { readSafetensors, type StoredTensor, type WriteFn, writeSafetensors } from './checkpoint-file';

/** Everything a run needs to continue exactly where it stopped. */
export interface TrainingCheckpoint {
  readonly config: ModelConfig;
  readonly vocab: Vocab;
  readonly weights: ModelWeights;
  readonly adam: AdamState | null;
  readonly step: number;
  /** Job-specific resumable state (data order, mixture sampler), JSON. */
  readonly state: unknown;
}

const M = 'optimizer.exp_avg.';
const V = 'optimizer.exp_avg_sq.';

function stored(name: string, t: tf.Tensor): StoredTensor {
  const isInt = t.dtype === 'int32';
  const values = t.dataSync();
  return {
    name,
    dtype: isInt ? 'I32' : 'F32',
    shape: t.shape,
    data: isInt ? Int32Array.from(values) : Float32Array.from(values),
  };
}

/**
 * Writes weights (fairseq names), Adam moments (`optimizer.exp_avg.<name>`, as PyTorch's Adam
 * state calls them) and a header with config, vocabulary, step and data-order state.
 */
export function saveTrainingCheckpoint(path: string, c: TrainingCheckpoint, write?: WriteFn): number {
  const tensors: StoredTensor[] = [];
  for (const [name, w] of c.weights) tensors.push(stored(name, w));
  if (c.adam) {
    for (const [name, m] of c.adam.m) tensors.push(stored(M + name, m));
    for (const [name, v] of c.adam.v) tensors.push(stored(V + name, v));
  }
  const metadata = {
    format: 'biomed-workbench-checkpoint/1',
    config: JSON.stringify(c.config),
    vocab: JSON.stringify(c.vocab.toJSON()),
    step: String(c.step),
    adam_step: String(c.adam?.step ?? 0),
    state: JSON.stringify(c.state ?? null),
  };
  return writeSafetensors(path, tensors, metadata, write);
}

/** Loads a checkpoint; `withOptimizer` false skips the Adam moments (fine-tuning from it). */
export function loadTrainingCheckpoint(path: string, withOptimizer = true): TrainingCheckpoint {
  const { tensors, metadata } = readSafetensors(path);
  const config = ModelConfigSchema.parse(JSON.parse(metadata['config'] ?? 'null'));
  const vocab = Vocab.fromJSON(JSON.parse(metadata['vocab'] ?? 'null'));
  const params = new Set(
    storedWeights(config)
      .filter((w) => w.kind === 'param')
      .map((w) => w.name),
  );
  const weights: ModelWeights = new Map();
  const adam: AdamState = { step: Number(metadata['adam_step'] ?? 0), m: new Map(), v: new Map() };
  for (const t of tensors.values()) {
    const tensor = tf.tensor(t.data, [...t.shape], t.dtype === 'I32' ? 'int32' : 'float32');
    if (t.name.startsWith(M)) {
      if (withOptimizer) adam.m.set(t.name.slice(M.length), tensor);
      else tensor.dispose();
    } else if (t.name.startsWith(V)) {
      if (withOptimizer) adam.v.set(t.name.slice(V.length), tensor);
      else tensor.dispose();
    } else {
      // Buffers (BatchNorm running statistics, counters) are not trainable.
      weights.set(t.name, tf.variable(tensor, params.has(t.name)));
      tensor.dispose();
    }
  }
  return {
    config,
    vocab,
    weights,
    adam: withOptimizer ? adam : null,
    step: Number(metadata['step'] ?? 0),
    state: JSON.parse(metadata['state'] ?? 'null') as unknown,
  };
}
