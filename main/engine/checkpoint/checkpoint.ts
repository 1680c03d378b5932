import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { ModelWeights } from '#main/engine/model/weights';
import { type VocabJson, VocabJsonSchema } from '#main/engine/tokenizer/vocab';
import type { AdamState } from '#main/engine/train/adamw';
import type { DataOrderState } from '#main/engine/train/data-order';
import { type ModelConfig, ModelConfigSchema } from '#shared/model/config';
import { fairseqName } from '#shared/model/hf-names';
import { storedWeights } from '#shared/model/weight-shapes';
import { writeFileAtomic } from './atomic-write';
import {
  CheckpointFormatError,
  decodeSafetensors,
  encodeSafetensors,
  type SafeTensor,
  type SafetensorsFile,
} from './safetensors';

export const MODEL_FILE = 'model.safetensors';
export const OPTIMIZER_FILE = 'optimizer.safetensors';

/** Everything besides tensors that a resumed run needs (stored as JSON strings in `__metadata__`). */
export interface CheckpointMeta {
  readonly config: ModelConfig;
  readonly vocab: VocabJson;
  /** Optimizer updates done. */
  readonly step: number;
  readonly seed: number;
  /** Backend the run trained on (informational). */
  readonly backend: string;
  readonly dataOrder?: DataOrderState;
  /** Caller's own fields (best validation score, task, ...). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Names in published OFA checkpoints that the model recomputes or ties, so loading skips them. */
const IGNORABLE =
  /(^|\.)version$|_rp_bucket$|image_position_idx$|^decoder\.embed_tokens\.weight$|^decoder\.output_projection\.weight$/;

function metaStrings(meta: CheckpointMeta, kind: string): Record<string, string> {
  return {
    format: 'pt',
    'biomed.kind': kind,
    config: JSON.stringify(meta.config),
    vocab: JSON.stringify(meta.vocab),
    step: String(meta.step),
    seed: String(meta.seed),
    backend: meta.backend,
    ...(meta.dataOrder ? { dataOrder: JSON.stringify(meta.dataOrder) } : {}),
    ...(meta.extra ? { extra: JSON.stringify(meta.extra) } : {}),
  };
}

async function asSafe(t: tf.Tensor, int64: boolean): Promise<SafeTensor> {
  // Asynchronous read: WebGPU under Node has no synchronous one.
  const data = (await t.data()) as Float32Array | Int32Array;
  return {
    dtype: int64 ? 'I64' : 'F32',
    shape: t.shape,
    data: int64 ? Int32Array.from(data) : Float32Array.from(data),
  };
}

/** Writes `model.safetensors` (weights + meta) and, given an optimizer, `optimizer.safetensors`, each atomically. */
export async function saveCheckpoint(
  dir: string,
  weights: ModelWeights,
  adam: AdamState | undefined,
  meta: CheckpointMeta,
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const int64 = new Set(
    storedWeights(meta.config)
      .filter((w) => w.dtype === 'int64')
      .map((w) => w.name),
  );
  const tensors = new Map<string, SafeTensor>();
  for (const [name, v] of weights) tensors.set(name, await asSafe(v, int64.has(name)));
  if (adam) {
    // optimizer first: a crash in between leaves a step mismatch that loading detects
    const opt = new Map<string, SafeTensor>();
    for (const [name, t] of adam.m) opt.set(`exp_avg.${name}`, await asSafe(t, false));
    for (const [name, t] of adam.v) opt.set(`exp_avg_sq.${name}`, await asSafe(t, false));
    writeFileAtomic(
      path.join(dir, OPTIMIZER_FILE),
      encodeSafetensors(opt, { ...metaStrings(meta, 'optimizer'), adamStep: String(adam.step) }),
    );
  }
  writeFileAtomic(path.join(dir, MODEL_FILE), encodeSafetensors(tensors, metaStrings(meta, 'weights')));
}

function parseJson<T>(text: string | undefined, what: string, parse: (v: unknown) => T): T {
  if (text === undefined) throw new CheckpointFormatError(`checkpoint metadata lacks '${what}'`);
  try {
    return parse(JSON.parse(text));
  } catch (err) {
    throw new CheckpointFormatError(
      `checkpoint metadata '${what}' is invalid: ${(err as Error).message.slice(0, 200)}`,
    );
  }
}

/** Reads the meta of a parsed model file. */
export function readMeta(file: SafetensorsFile): CheckpointMeta {
  const m = file.metadata;
  return {
    config: parseJson(m['config'], 'config', (v) => ModelConfigSchema.parse(v)),
    vocab: parseJson(m['vocab'], 'vocab', (v) => VocabJsonSchema.parse(v)),
    step: Number(m['step'] ?? 0),
    seed: Number(m['seed'] ?? 0),
    backend: m['backend'] ?? 'unknown',
    ...(m['dataOrder']
      ? { dataOrder: parseJson(m['dataOrder'], 'dataOrder', (v) => v as DataOrderState) }
      : {}),
    ...(m['extra'] ? { extra: parseJson(m['extra'], 'extra', (v) => v as Record<string, unknown>) } : {}),
  };
}

const modelFilePath = (dirOrFile: string): string =>
  dirOrFile.endsWith('.safetensors') ? dirOrFile : path.join(dirOrFile, MODEL_FILE);

/** Reads and validates `model.safetensors` (a directory or the file itself). */
export function readModelFile(dirOrFile: string): SafetensorsFile {
  return decodeSafetensors(readFileSync(modelFilePath(dirOrFile)));
}

/** The meta of a checkpoint from its header alone (no tensor is read). */
export function readCheckpointMeta(dirOrFile: string): CheckpointMeta {
  const fd = openSync(modelFilePath(dirOrFile), 'r');
  try {
    const len = Buffer.alloc(8);
    readSync(fd, len, 0, 8, 0);
    const n = Number(len.readBigUInt64LE(0));
    if (n > 100 * 1024 * 1024) throw new CheckpointFormatError(`header length ${n} is implausible`);
    const head = Buffer.alloc(n);
    if (readSync(fd, head, 0, n, 8) !== n) throw new CheckpointFormatError('checkpoint header is truncated');
    let header: { __metadata__?: Record<string, string> };
    try {
      header = JSON.parse(head.toString('utf8'));
    } catch (err) {
      throw new CheckpointFormatError(`header is not valid JSON: ${(err as Error).message}`);
    }
    return readMeta({ metadata: header.__metadata__ ?? {}, tensors: new Map() });
  } finally {
    closeSync(fd);
  }
}

/**
 * True for a checkpoint of imported published weights (`biomed.kind` = weights, no optimizer
 * file beside it): it starts runs and evaluations but has no training state to resume.
 */
export function isWeightsOnly(dir: string, file: SafetensorsFile): boolean {
  return file.metadata['biomed.kind'] === 'weights' && !existsSync(path.join(dir, OPTIMIZER_FILE));
}

/**
 * Checks that `file` holds exactly the weights of `config` (names and shapes; Hugging Face OFA names
 * are mapped to fairseq ones; published extras that are recomputed are ignored), then assigns them. Throws CheckpointFormatError with the
 * first mismatches before touching any weight.
 */
export function loadWeightsInto(weights: ModelWeights, source: SafetensorsFile, config: ModelConfig): void {
  const file = { ...source, tensors: new Map([...source.tensors].map(([n, t]) => [fairseqName(n), t])) };
  const problems: string[] = [];
  for (const spec of storedWeights(config)) {
    const t = file.tensors.get(spec.name);
    if (!t) problems.push(`missing ${spec.name}`);
    else if (t.shape.join(',') !== spec.shape.join(','))
      problems.push(`${spec.name} is [${t.shape}], model needs [${spec.shape}]`);
  }
  const known = new Set(storedWeights(config).map((w) => w.name));
  for (const name of file.tensors.keys())
    if (!known.has(name) && !IGNORABLE.test(name)) problems.push(`unexpected ${name}`);
  if (problems.length) {
    throw new CheckpointFormatError(
      `checkpoint does not fit this architecture (${problems.length} problems): ${problems.slice(0, 5).join('; ')}`,
    );
  }
  for (const spec of storedWeights(config)) {
    const t = file.tensors.get(spec.name) as SafeTensor;
    const v = weights.get(spec.name);
    if (!v) throw new Error(`model lacks ${spec.name}`);
    tf.tidy(() => v.assign(tf.tensor(t.data, [...spec.shape], v.dtype)));
  }
}

/** Reads the optimizer file beside a model file; throws when it belongs to another step. */
export function readAdamState(dir: string, step: number): AdamState {
  const file = decodeSafetensors(readFileSync(path.join(dir, OPTIMIZER_FILE)));
  if (Number(file.metadata['step']) !== step) {
    throw new CheckpointFormatError(
      `optimizer state is from step ${file.metadata['step']}, weights from step ${step}`,
    );
  }
  const state: AdamState = { step: Number(file.metadata['adamStep'] ?? step), m: new Map(), v: new Map() };
  for (const [name, t] of file.tensors) {
    const [kind, ...rest] = name.split('.');
    const target = kind === 'exp_avg' ? state.m : kind === 'exp_avg_sq' ? state.v : undefined;
    if (!target) throw new CheckpointFormatError(`unexpected optimizer tensor ${name}`);
    target.set(rest.join('.'), tf.tensor(t.data, [...t.shape], 'float32'));
  }
  return state;
}
