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
  parse(path: string, options: ImportOptions, problems: Problems): Promise<ParsedDataset>;
}
