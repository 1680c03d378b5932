import { z } from 'zod';
import {
  DatasetDetail,
  DatasetFormat,
  DatasetSummary,
  ExampleView,
  ImportOptions,
  ImportReport,
  Split,
} from '#shared/domain/dataset';
import { method } from './define';

const DatasetId = z.object({ id: z.string().min(1) }).strict();

/** A format the importers know, for the import dialog. */
export const FormatInfo = z.object({ format: DatasetFormat, label: z.string(), description: z.string() });
export type FormatInfo = z.infer<typeof FormatInfo>;

/** Input of `datasets.import`. */
export const ImportRequest = z
  .object({
    /** A file or folder on the machine running the main process. */
    path: z.string().min(1),
    /** Skip detection and use this format. */
    format: DatasetFormat.optional(),
    /** Check everything and report counts and problems; write nothing. */
    dryRun: z.boolean().default(false),
    /** Display name (default: from the format and folder). */
    name: z.string().trim().min(1).max(200).optional(),
    options: ImportOptions.default(ImportOptions.parse({})),
  })
  .strict();
export type ImportRequest = z.input<typeof ImportRequest>;

/** One page of examples. */
export const ExamplePage = z.object({ total: z.number().int(), examples: z.array(ExampleView) });
export type ExamplePage = z.infer<typeof ExamplePage>;

/** Methods over the dataset library. */
export const datasetMethods = {
  'datasets.list': method(z.object({}).strict(), z.array(DatasetSummary), 'Every dataset in the library'),
  'datasets.formats': method(z.object({}).strict(), z.array(FormatInfo), 'Formats the importers recognise'),
  'datasets.detect': method(
    z.object({ path: z.string().min(1) }).strict(),
    z.object({ format: DatasetFormat.nullable(), label: z.string().nullable() }),
    'Which format a file or folder is in',
  ),
  'datasets.import': method(
    ImportRequest,
    ImportReport,
    'Import a dataset in one transaction (or report what a dry run would import)',
  ),
  'datasets.get': method(
    DatasetId,
    DatasetDetail,
    'One dataset with counts per split, labels and answer types',
  ),
  'datasets.examples': method(
    z
      .object({
        id: z.string().min(1),
        split: Split.optional(),
        search: z.string().max(200).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(500).default(50),
      })
      .strict(),
    ExamplePage,
    'A page of examples, with thumbnails',
  ),
  'datasets.image': method(
    z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest') }).strict(),
    z.object({ dataUrl: z.string(), mime: z.string(), width: z.number().int(), height: z.number().int() }),
    'A full-size image as a data URL (for the image viewer)',
  ),
  'datasets.delete': method(
    z
      .object({
        id: z.string().min(1),
        /** Also delete when runs or evaluations use the dataset (their evaluations go with it). */
        force: z.boolean().default(false),
      })
      .strict(),
    z.object({ id: z.string(), examples: z.number().int(), blobsRemoved: z.number().int() }),
    'Delete a dataset, its examples and the images no other dataset uses',
  ),
};
