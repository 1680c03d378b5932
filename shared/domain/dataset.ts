import { z } from 'zod';
import { PRESETS } from '#shared/model/presets';

/** The three splits every dataset is organised into. */
export const Split = z.enum(['train', 'validation', 'test']);
export type Split = z.infer<typeof Split>;

/** The split names, in display order. */
export const SPLITS: readonly Split[] = ['train', 'validation', 'test'];

/** Every format the importers recognise (section 4 of spec/biomedgpt.md), plus generated demo data. */
export const DatasetFormat = z.enum([
  'vqa-rad',
  'slake',
  'pathvqa',
  'pubmedqa',
  'mednli',
  'meqsum',
  'healthcaremagic',
  'icliniq',
  'iu-xray',
  'roco',
  'biocaption',
  'medmnist',
  'image-folder',
  'biomedgpt-tsv',
  'jsonl',
  'llava-med',
  'mimic-cxr',
  'mimic-iii-notes',
  'cbis-ddsm',
  'shenzhen-cxr',
  'montgomery-cxr',
  'trec-ct',
  'rsna-pneumonia',
  'demo',
]);
export type DatasetFormat = z.infer<typeof DatasetFormat>;

/** A dataset as listed in the library. */
export const DatasetSummary = z.object({
  id: z.string(),
  name: z.string(),
  format: z.string(),
  task: z.string(),
  synthetic: z.boolean(),
  examples: z.number().int(),
  splits: z.record(z.string(), z.number().int()),
  createdAt: z.string(),
});
export type DatasetSummary = z.infer<typeof DatasetSummary>;

/** A scalar kept in an example's or a dataset's metadata (organ, modality, answer type, ...). */
export const MetaValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type MetaValue = z.infer<typeof MetaValue>;

/** Metadata of one example: `organ`, `modality`, `answerType` (`closed`/`open`), `label`, `sourceId`, ... */
export const ExampleMeta = z.record(z.string(), MetaValue);
export type ExampleMeta = z.infer<typeof ExampleMeta>;

/** A dataset with its statistics, as `datasets.get` returns it. */
export const DatasetDetail = DatasetSummary.extend({
  sourcePath: z.string().nullable(),
  contentHash: z.string(),
  /** Examples per task and split, e.g. `{ vqa: { train: 1797, test: 451 } }`. */
  tasks: z.record(z.string(), z.record(z.string(), z.number().int())),
  /** Target histogram of closed-answer examples (the most frequent 100). */
  labels: z.record(z.string(), z.number().int()),
  /** Examples per `meta.answerType` (`closed`, `open`), where the format has one. */
  answerTypes: z.record(z.string(), z.number().int()),
  /** Distinct images referenced. */
  images: z.number().int(),
  meta: z.record(z.string(), z.unknown()),
});
export type DatasetDetail = z.infer<typeof DatasetDetail>;

/** One example as the dataset browser shows it. */
export const ExampleView = z.object({
  id: z.number().int(),
  split: Split,
  ordinal: z.number().int(),
  task: z.string(),
  /** The model's source text, built from `inputs` by the task registry (shared/tasks.ts). */
  prompt: z.string(),
  inputs: z.record(z.string(), z.string()),
  target: z.string(),
  candidates: z.array(z.string()).nullable(),
  meta: ExampleMeta,
  imageHash: z.string().nullable(),
  /** `data:image/webp;base64,...`, 128 px on the long side; null without an image. */
  thumbnail: z.string().nullable(),
});
export type ExampleView = z.infer<typeof ExampleView>;

/** Something wrong (or worth knowing) about the input of an import; names file, line and field. */
export const ImportProblem = z.object({
  severity: z.enum(['error', 'warning']),
  file: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
  field: z.string().optional(),
  message: z.string(),
});
export type ImportProblem = z.infer<typeof ImportProblem>;

/**
 * One record an import left out (a lenient import keeps the rest): the record's own id in the
 * source (qid, PMID, file name; `[k]`, its 0-based position, only when it has none), the field at
 * fault and why. `--strict` (the wizard's "Refuse the whole import" box) refuses instead.
 */
export const SkippedRecord = z.object({
  file: z.string(),
  id: z.string(),
  field: z.string().optional(),
  reason: z.string(),
  line: z.number().int().optional(),
  /** Byte offset in the file, where the fault is in the bytes (invalid UTF-8). */
  byteOffset: z.number().int().optional(),
});
export type SkippedRecord = z.infer<typeof SkippedRecord>;

/** Examples per split. */
export const SplitCounts = z.object({
  train: z.number().int(),
  validation: z.number().int(),
  test: z.number().int(),
});
export type SplitCounts = z.infer<typeof SplitCounts>;

/** What an import did (or, in a dry run, would do). */
export const ImportReport = z.object({
  dryRun: z.boolean(),
  /** The new dataset's id; on a re-import, the id of the dataset already holding this content. */
  datasetId: z.string().nullable(),
  /** Set when the same content was imported before: nothing new was written. */
  duplicateOf: z.string().nullable(),
  name: z.string(),
  format: DatasetFormat,
  task: z.string(),
  examples: z.number().int(),
  splits: SplitCounts,
  /** Examples per task and split. */
  tasks: z.record(z.string(), z.record(z.string(), z.number().int())),
  /** Which splits came from the dataset's authors (the rest were drawn with `seed`, grouped by image). */
  officialSplits: z.array(Split),
  /** Distinct images; `new`: stored by this import; `reused`: left stored by an interrupted import of the same files. */
  images: z.object({ total: z.number().int(), new: z.number().int(), reused: z.number().int().optional() }),
  problems: z.array(ImportProblem),
  /** Every record left out, by its own id (kept in the dataset's `meta.provenance.skipped`). */
  skipped: z.array(SkippedRecord),
  /** How many records were left out (the list stops at 10,000; the count does not). */
  skippedCount: z.number().int(),
  contentHash: z.string(),
  elapsedMs: z.number(),
});
export type ImportReport = z.infer<typeof ImportReport>;

/**
 * Default long side of stored images: the largest input any model preset uses, times 1.25 (room
 * for random-resized crops), rounded to a multiple of 16 (384 px -> 480 px).
 */
export const DEFAULT_MAX_SIDE =
  Math.round((Math.max(...Object.values(PRESETS).map((p) => p.imageSize)) * 1.25) / 16) * 16;

/** Long side images are stored at: a number of pixels (larger images are downscaled), or `original`. */
export const MaxSide = z.union([z.number().int().min(16).max(65_535), z.literal('original')]);
export type MaxSide = z.infer<typeof MaxSide>;

/** Options of an import; every field has a default. */
export const ImportOptions = z
  .object({
    /** Seed of the split drawn when the dataset has no official split. */
    seed: z.number().int().default(13),
    /** Share of validation examples drawn from train when no official validation split exists. */
    validationFraction: z.number().min(0).max(0.5).default(0.1),
    /** Share of test examples drawn when no official test split exists. */
    testFraction: z.number().min(0).max(0.5).default(0.1),
    /** Frame of a multi-frame DICOM to keep (default: the middle frame). */
    dicomFrame: z.number().int().min(0).optional(),
    /** SLAKE: keep questions in every language, not only English. */
    allLanguages: z.boolean().default(false),
    /** MIMIC-CXR: `frontal` keeps the PA and AP views only (ViewPosition in the metadata CSV). */
    views: z.enum(['all', 'frontal']).default('all'),
    /** CBIS-DDSM: import the cropped lesion images instead of the full mammograms. */
    lesionCrops: z.boolean().default(false),
    /** Cap on examples (first N in file order); for quick looks at big datasets. */
    limit: z.number().int().min(1).optional(),
    /** Refuse the whole import when any record would be skipped (default: skip and report it). */
    strict: z.boolean().default(false),
    /**
     * Long side of the stored images (default `DEFAULT_MAX_SIDE`): larger ones are downscaled
     * (bicubic, antialiased; 8-bit photos as JPEG, 16-bit medical images as 16-bit PNG);
     * `original` stores them at their own size.
     */
    maxSide: MaxSide.default(DEFAULT_MAX_SIDE),
  })
  .strict();
export type ImportOptions = z.output<typeof ImportOptions>;

/** Progress of a running import, pushed as `onDidImportProgress`. */
export const ImportProgressEvent = z.object({
  importId: z.string(),
  path: z.string(),
  phase: z.enum(['detect', 'parse', 'images', 'write', 'done', 'failed']),
  done: z.number().int(),
  total: z.number().int(),
  message: z.string(),
});
export type ImportProgressEvent = z.infer<typeof ImportProgressEvent>;
