import { z } from 'zod';
import { ModelConfigSchema } from '#shared/model/config';
import { PRESET_NAMES } from '#shared/model/presets';

/** Container a published checkpoint came in. */
export const WeightsSourceFormat = z.enum([
  /** fairseq `torch.save` zip (`model`, `args`/`cfg`, `extra_state`, `last_optimizer_state`). */
  'fairseq-pt',
  /** Hugging Face `pytorch_model.bin` (a `torch.save` zip of a flat state dict). */
  'hf-bin',
  'safetensors',
]);
export type WeightsSourceFormat = z.infer<typeof WeightsSourceFormat>;

/** Floating-point type the weights were published in; `mixed` when tensors differ. They are stored as fp32. */
export const WeightsDtype = z.enum(['fp32', 'fp16', 'bf16', 'mixed']);
export type WeightsDtype = z.infer<typeof WeightsDtype>;

/** Which tensors of a fairseq checkpoint were imported. */
export const WeightsTensorSource = z.enum([
  /** `ckpt['model']` (or the whole file for a flat state dict). */
  'model',
  /** `ckpt['extra_state']['ema']`: the EMA weights fairseq evaluates with (`--ema-eval`). */
  'ema',
  /** `extra_state.ema_fp32_params` for the parameters, `extra_state.ema` for the buffers. */
  'ema-fp32',
]);
export type WeightsTensorSource = z.infer<typeof WeightsTensorSource>;

/** A key whose shape is not the detected architecture's. */
export const WrongShapeKey = z.object({
  key: z.string(),
  expected: z.array(z.number().int()),
  actual: z.array(z.number().int()),
});

/** A key of the file that loading skips on purpose. */
export const IgnoredKey = z.object({
  key: z.string(),
  /** `recomputed` (rp buckets, image_position_idx), `alias` (tied embedding copies), `version`. */
  reason: z.enum(['recomputed', 'alias', 'version']),
});

/**
 * What happened to every key of the imported state dict (fairseq names; `renamed` counts the
 * Hugging Face keys that were mapped). Nothing is stored unless `missing`, `unexpected`,
 * `wrongShape` and `problems` are all empty.
 */
/** One fairseq architecture flag as read from a checkpoint's `args` / `cfg.model`. */
export const ArchitectureFlag = z.object({
  name: z.string(),
  /** The stored value (JSON), or null when the file does not state it. */
  value: z.union([z.boolean(), z.number(), z.string()]).nullable(),
  /** What the import does with it: `applied` (config follows it), `matches` (the engine's arithmetic), `assumed` (not stated), `refused`. */
  outcome: z.enum(['applied', 'matches', 'assumed', 'refused']),
  note: z.string(),
});
export type ArchitectureFlag = z.infer<typeof ArchitectureFlag>;

export const WeightsLoadReport = z.object({
  /** Model weights found with the right shape (fairseq names, state-dict order). */
  matched: z.array(z.string()),
  missing: z.array(z.string()),
  unexpected: z.array(z.string()),
  wrongShape: z.array(WrongShapeKey),
  ignored: z.array(IgnoredKey),
  /** Hugging Face names mapped to fairseq ones. */
  renamed: z.number().int(),
  /** Everything else that stops the import (vocabulary size, tied copies that differ, ...), each naming its key. */
  problems: z.array(z.string()),
  /** Keys in the file's state dict, aliases included. */
  totalKeys: z.number().int(),
  /** The architecture flags read from the file's fairseq args (absent: the file has none). */
  flags: z.array(ArchitectureFlag).optional(),
});
export type WeightsLoadReport = z.infer<typeof WeightsLoadReport>;

/** Detected architecture: a preset when every shape matches one, else `custom` with the detected config. */
export const WeightsArchitecture = z.object({
  preset: z.union([z.enum(PRESET_NAMES), z.literal('custom')]),
  /** Full model config the weights load into (vocabSize = the embedding's rows). */
  config: ModelConfigSchema,
});
export type WeightsArchitecture = z.infer<typeof WeightsArchitecture>;

/** The vocabulary (token id space) the weights were trained with. */
export const WeightsVocabulary = z.object({
  /** fairseq's published id space, or a run's trimmed one (a workbench export's vocab.json). */
  kind: z.enum(['fairseq', 'trimmed']),
  /** Ids: 4 specials + dict.txt lines + `<mask>` + 8,192 codes + 1,000 bins (or vocab.json's symbols). */
  size: z.number().int(),
  dictPath: z.string(),
  dictSha256: z.string(),
});
export type WeightsVocabulary = z.infer<typeof WeightsVocabulary>;

/** What an import found in a file (also what a dry run returns). */
export const WeightsDetection = z.object({
  sourcePath: z.string(),
  sourceFormat: WeightsSourceFormat,
  sourceBytes: z.number().int(),
  dtype: WeightsDtype,
  tensorSource: WeightsTensorSource,
  /** True when EMA weights were imported instead of `model`. */
  emaUsed: z.boolean(),
  architecture: WeightsArchitecture.nullable(),
  /** Trainable parameters, the tied embedding counted once. */
  parameterCount: z.number().int(),
  vocabulary: WeightsVocabulary.nullable(),
  /** fairseq arch name from `args`/`cfg.model` (`ofa_tiny`, ...), when the file has one. */
  fairseqArch: z.string().nullable(),
});
export type WeightsDetection = z.infer<typeof WeightsDetection>;

/** Imported weights as stored in the library. */
export const WeightsRecord = WeightsDetection.extend({
  id: z.string(),
  name: z.string(),
  architecture: WeightsArchitecture,
  vocabulary: WeightsVocabulary,
  /** sha256 of the stored weights: names, shapes and fp32 values (the same weights from any file hash alike). */
  sha256: z.string(),
  /** `<data folder>/weights/<id>/model.safetensors`: the engine's checkpoint format (fp32, fairseq names). */
  storedPath: z.string(),
  storedBytes: z.number().int(),
  createdAt: z.string(),
  report: WeightsLoadReport,
});
export type WeightsRecord = z.infer<typeof WeightsRecord>;

/** Progress of one weights import, pushed as `onDidWeightsImportProgress`. */
export const WeightsImportProgressEvent = z.object({
  importId: z.string(),
  path: z.string(),
  phase: z.enum(['read', 'detect', 'convert', 'done', 'failed']),
  /** Bytes of tensor data converted so far, of `total`. */
  done: z.number(),
  total: z.number(),
  message: z.string(),
});
export type WeightsImportProgressEvent = z.infer<typeof WeightsImportProgressEvent>;
