import { basename } from 'node:path';
import type { Problems, RecordRef } from '#main/data/problems';
import type { ParsedExample } from '#main/data/types';
import type { ExampleMeta, ImportOptions } from '#shared/domain/dataset';

/** A JSON record (object) or undefined, for field checks. */
export type JsonRecord = Readonly<Record<string, unknown>>;

/** True for a plain JSON object. */
export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Names record `index` of `file` by its own id: the first of `idFields` it has (a non-empty string
 * or a number), else `[index]`, its 0-based position. Pass the record's line when known.
 */
export function recordRef(
  file: string,
  rec: unknown,
  idFields: readonly string[],
  index: number,
  line?: number,
): RecordRef {
  let id: string | undefined;
  if (isRecord(rec)) {
    for (const f of idFields) {
      const v = rec[f];
      if ((typeof v === 'string' && v.trim() !== '') || (typeof v === 'number' && Number.isFinite(v))) {
        id = String(v).trim();
        break;
      }
    }
  }
  return { file, id: id ?? `[${index}]`, ...(line !== undefined ? { line } : {}) };
}

/**
 * A required string field (numbers are accepted and stringified; surrounding whitespace is
 * dropped). When absent or blank, the record is skipped (`problems.skip`) and undefined returned.
 */
export function requireString(
  rec: JsonRecord,
  field: string,
  problems: Problems,
  ref: RecordRef,
): string | undefined {
  const v = rec[field];
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  problems.skip(
    ref,
    field,
    v === undefined
      ? 'the field is missing'
      : typeof v === 'string'
        ? 'the field is empty'
        : `expected text, found ${JSON.stringify(v)}`,
  );
  return undefined;
}

/** An optional string field ('' when absent). */
export function optionalString(rec: JsonRecord, field: string): string {
  const v = rec[field];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

/** Applies `options.limit` (first N in file order). */
export function limited<T>(items: T[], options: ImportOptions): T[] {
  return options.limit !== undefined ? items.slice(0, options.limit) : items;
}

/** Drops undefined and empty-string values from metadata. */
export function meta(values: Record<string, string | number | boolean | null | undefined>): ExampleMeta {
  const out: ExampleMeta = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

/** The folder name as a default dataset name. */
export function nameOf(path: string): string {
  return basename(path).replace(/\.[a-z0-9]+$/i, '');
}

/** The split a file name implies (`train`, `val`/`valid`/`dev`/`validation`, `test`). */
export function splitFromName(name: string): 'train' | 'validation' | 'test' | undefined {
  const n = basename(name).toLowerCase();
  if (/(^|[^a-z])(train|training)([^a-z]|$)/.test(n)) return 'train';
  if (/(^|[^a-z])(val|valid|validate|validation|dev)([^a-z]|$)/.test(n)) return 'validation';
  if (/(^|[^a-z])(test|testing)([^a-z]|$)/.test(n)) return 'test';
  return undefined;
}

/** Candidate answers of a yes/no question, else undefined. */
export function yesNoCandidates(answer: string): readonly string[] | undefined {
  return answer === 'yes' || answer === 'no' ? ['no', 'yes'] : undefined;
}

/** Distinct targets of these examples, sorted (the "allcand" answer set). */
export function answerSet(examples: readonly ParsedExample[]): string[] {
  return [...new Set(examples.map((e) => e.target))].sort();
}
