import type { DatasetFormat, ExampleMeta, ImportOptions, Split } from '#shared/domain/dataset';
import type { TaskId } from '#shared/tasks';
import type { Problems, RecordRef } from './problems';

/** Where an example's image comes from, before it is decoded, de-identified and normalised. */
export type ImageSource =
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'bytes'; readonly name: string; readonly bytes: Uint8Array }
  | {
      readonly kind: 'pixels';
      readonly name: string;
      readonly width: number;
      readonly height: number;
      readonly channels: 1 | 3;
      readonly data: Uint8Array;
    };

/** One example as an importer produced it; the service assigns missing splits and ordinals. */
export interface ParsedExample {
  /** The official split, when the dataset has one for this example. */
  readonly split?: Split;
  readonly task: TaskId;
  /** Prompt fields (shared/tasks.ts builds the source text from them). */
  readonly inputs: Readonly<Record<string, string>>;
  readonly target: string;
  readonly candidates?: readonly string[];
  readonly meta: ExampleMeta;
  /** Key into `ParsedDataset.images`. */
  readonly image?: string;
  /** The source record (file and own id), so the store can name it when it skips it. */
  readonly ref?: RecordRef;
  /** Patient or study key for grouped splits. Kept in memory only, never stored. */
  readonly group?: string;
}

/** Everything an importer read, in memory; nothing is stored yet. */
export interface ParsedDataset {
  readonly format: DatasetFormat;
  readonly name: string;
  /** The main task (a dataset may mix tasks; the store keeps the task per example). */
  readonly task: TaskId;
  readonly examples: readonly ParsedExample[];
  readonly images: ReadonlyMap<string, ImageSource>;
  /** Dataset-level metadata kept in the store (label names, source, notes). Nothing identifying. */
  readonly meta: Readonly<Record<string, unknown>>;
  readonly synthetic?: boolean;
}

/** Examples an importer hands over at a time (the store consumes them batch by batch). */
export const STREAM_BATCH = 1000;

/** One batch of a streamed dataset: its examples and the images they use. */
export interface ParsedBatch {
  readonly examples: readonly ParsedExample[];
  readonly images: ReadonlyMap<string, ImageSource>;
}

/**
 * A dataset an importer hands over in batches (issue 22: memory flat whatever the count): the
 * store prepares the images and writes the rows of each batch before it asks for the next, so
 * neither holds more than a batch of examples. Iterated once; problems found while making a batch
 * go to the import's `problems` as in `parse`.
 */
export interface StreamedDataset extends Omit<ParsedDataset, 'examples' | 'images'> {
  /** How many examples the batches hold at most (progress and ETA), when known up front. */
  readonly total?: number;
  readonly batches: Iterable<ParsedBatch> | AsyncIterable<ParsedBatch>;
}

/** Reads every batch of a streamed dataset into one parsed dataset (a dry run, which stores nothing). */
export async function collected(d: ParsedDataset | StreamedDataset): Promise<ParsedDataset> {
  if (!('batches' in d)) return d;
  const { batches, total: _total, ...rest } = d;
  const examples: ParsedExample[] = [];
  const images = new Map<string, ImageSource>();
  for await (const b of batches) {
    examples.push(...b.examples);
    for (const [k, v] of b.images) images.set(k, v);
  }
  return { ...rest, examples, images };
}

/** What detection may look at: the path, its listing (folders) and the head of a file. */
export interface Probe {
  readonly path: string;
  readonly isDir: boolean;
  /** Lower-cased base name. */
  readonly base: string;
  /** Entry names of a folder (as on disk); empty for files. */
  readonly entries: readonly string[];
  /** The first 4 KiB of a file as latin1 text; '' for folders. */
  readonly head: string;
}

/** A reader of one dataset format. */
export interface Importer {
  readonly format: DatasetFormat;
  readonly label: string;
  readonly description: string;
  /** Cheap check: does this file or folder look like the format? */
  detect(probe: Probe): boolean | Promise<boolean>;
  /** Reads everything; problems go to `problems` (a fatal one throws `ImportAborted`). */
  parse(path: string, options: ImportOptions, problems: Problems): Promise<ParsedDataset | StreamedDataset>;
}
