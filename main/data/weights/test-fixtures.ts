import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelConfig } from '#shared/model/config';
import { PRESETS } from '#shared/model/presets';
import { weightShapes } from '#shared/model/weight-shapes';

/** Debian's PyTorch (scripts/debian-packages.txt); the first python3 on PATH may be another. */
export const PYTHON = '/usr/bin/python3';
/** bench/reference: the PyTorch reference model and the checkpoint writer. */
export const REFERENCE_DIR = path.resolve(import.meta.dirname, '../../../bench/reference');

/**
 * Throws (the test fails, it does not skip) when PyTorch or omegaconf is missing: the checkpoints
 * these tests read are written by PyTorch itself.
 */
export function requireTorch(): void {
  const r = spawnSync(PYTHON, ['-c', 'import torch, omegaconf'], { encoding: 'utf8' });
  if (r.status !== 0) {
    throw new Error(
      `The weights-import tests need PyTorch and omegaconf under ${PYTHON} to write real checkpoints ` +
        `(apt-get install python3-torch python3-omegaconf; scripts/debian-packages.txt): ${r.error?.message ?? r.stderr.trim().split('\n').at(-1)}`,
    );
  }
}

/** One checkpoint for bench/reference/make_weights.py to write. */
export interface FixtureFile {
  readonly path: string;
  readonly layout: 'fairseq' | 'hf-bin' | 'hf-safetensors';
  readonly dtype: 'fp32' | 'fp16';
  readonly ema?: boolean;
  readonly optimizer?: boolean;
  readonly arch?: string;
  /** Extra fairseq `args` (architecture flags such as `disable_entangle`), fairseq layout only. */
  readonly args?: Readonly<Record<string, unknown>>;
  /** Keys to leave out, or to give another shape (test cases of bad files). */
  readonly drop?: readonly string[];
  readonly reshape?: Readonly<Record<string, readonly number[]>>;
}

/** Checkpoints of one architecture; `seed` picks the values. */
export interface FixtureSet {
  readonly config: ModelConfig;
  readonly files: readonly FixtureFile[];
  readonly seed?: number;
}

/** Writes checkpoints with every key and shape of their configs, in one PyTorch process. */
export function writeCheckpoints(dir: string, sets: readonly FixtureSet[]): void {
  const spec = {
    sets: sets.map(({ config, files, seed = 1 }) => {
      const keys = weightShapes(config);
      return {
        seed,
        maxRelPosition: config.maxRelPosition,
        imageBucket: config.imageBucket,
        tokenBucket: config.tokenBucket,
        files: files.map((f) => ({
          ...f,
          arch: f.arch ?? 'ofa_custom',
          imageSize: config.imageSize,
          keys: keys
            .filter((k) => !f.drop?.includes(k.name))
            .map((k) => [k.name, f.reshape?.[k.name] ?? k.shape, k.dtype, k.tiedTo ?? null]),
        })),
      };
    }),
  };
  const specFile = path.join(dir, `spec-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(specFile, JSON.stringify(spec));
  const r = spawnSync(PYTHON, [path.join(REFERENCE_DIR, 'make_weights.py'), specFile], {
    encoding: 'utf8',
    env: { ...process.env, OMP_WAIT_POLICY: 'passive', OMP_NUM_THREADS: '1' },
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`make_weights.py failed: ${r.stderr || r.error?.message}`);
}

/** A fairseq dict.txt of `lines` BPE entries (the model then has lines + 9,197 ids). */
export function writeDict(file: string, lines: number): void {
  writeFileSync(file, Array.from({ length: lines }, (_, i) => `${i + 100} ${1000 - i}`).join('\n') + '\n');
}

/** A shrunken custom shape: every block of the design, odd sizes, asymmetric depth (vocabulary: 20 dict lines). */
export const CUSTOM_TEST_CONFIG: ModelConfig = {
  ...PRESETS['cpu-xs'],
  name: 'custom',
  dModel: 32,
  ffn: 48,
  heads: 2,
  encLayers: 2,
  decLayers: 1,
  resnetBlocks: [1, 1, 2],
  resnetWidth: 8,
  maxSourcePositions: 30,
  maxTargetPositions: 20,
  tokenBucket: 16,
  imageBucket: 8,
  maxRelPosition: 64,
  vocabSize: 20 + 9197,
};

/** Runs a Python snippet under Debian's PyTorch (test setup only). */
export function python(code: string): string {
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}
