/**
 * Biomed Workbench engine: the BiomedGPT / OFA model in TensorFlow.js, for one worker process.
 *
 * Typical use from a job worker (no database, no Electron):
 *
 * ```ts
 * import { createEngineSession, loadSession } from '#main/engine/index';
 *
 * const session = await createEngineSession({
 *   preset: 'cpu-xs',                       // or 'S' | 'M' | 'Base' | 'Large' | 'XLarge' | a ModelConfig
 *   seed: 1,
 *   vocab: { kind: 'trimmed', texts },      // CPU rungs; { kind: 'fairseq', dictPath } for published weights;
 *                                           // { kind: 'checkpoint' } to reuse the init checkpoint's
 *   init: undefined,                        // or a checkpoint dir / model.safetensors to start from
 *   batch: { maxSourceTokens: 80, maxTargetTokens: 30, promptInDecoder: false }, // OFA prev_output: true
 * });
 * const idx = session.nextBatchIndices(examples.length, 16); // seeded order, saved with checkpoints
 * const batch = session.prepare(idx.map((i) => examples[i]));  // { source, target, image?, candidates? }
 * const r = await session.trainStep(batch, { schedule: { lr: 5e-4, totalSteps: 1000, warmupRatio: 0.04 } });
 * // r = { step, loss, lr, gradNorm, tokensPerSec, ntokens }; NonFiniteLossError on NaN/Inf
 * await session.save(dir);                  // model.safetensors + optimizer.safetensors, atomic
 * const again = await loadSession(dir);     // exact resume: weights, Adam, step, seed, data order
 * await again.generate(examples, { beamSize: 5, maxLen: 30, lenPenalty: 1, noRepeatNgram: 3 });
 * await again.evaluate(examples, { beamSize: 1 }); // { predictions, exactMatch }
 * await again.scoreCandidates(examples);    // closed sets: [{ best, scores }]
 * session.dispose();
 * ```
 *
 * Training, decoding and saving are asynchronous (they read from the device with `await
 * t.data()`: WebGPU under Node has no synchronous read); tensors never leave this process.
 * Memory estimates and presets live in `#shared/model/*` so the UI can use them too.
 */
export type { BackendInfo } from './backend';
export { initBackend } from './backend';
export { CheckpointFormatError } from './checkpoint/safetensors';
export type { DecodeOptions } from './decode/constraints';
export type { ImageInput } from './image/preprocess';
export { ImageInputError, preprocessImage } from './image/preprocess';
export type { Generation, SessionOptions, VocabSource } from './session';
export { createEngineSession, EngineSession, loadSession } from './session';
export { Tokenizer } from './tokenizer/tokenizer';
export { loadFairseqVocab, Vocab, type VocabJson } from './tokenizer/vocab';
export type { BatchOptions, Example, PreparedBatch } from './train/batch';
export { prepareBatch } from './train/batch';
export { type DataOrderState, initialOrder, nextIndices } from './train/data-order';
export { type LoopIo, type LoopPlan, type LoopResult, trainingLoop } from './train/loop';
export type { LrSchedule } from './train/schedule';
export { lrAt } from './train/schedule';
export { NonFiniteLossError, type StepResult, type TrainOptions } from './train/step';
export {
  type BestValidation,
  parseBestValidation,
  VALIDATION_METRIC,
  type ValidationResult,
} from './train/validate';
