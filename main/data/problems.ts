import type { ImportProblem, SkippedRecord } from '#shared/domain/dataset';

/** Where in a file a problem is. */
export interface At {
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;
}

/**
 * One record of the source, as problems name it: the file (relative to the import root) and the
 * record's own id there (qid, PMID, file name, pairID ...). Use `recordRef` (importers/common.ts)
 * to build one; it falls back to `[k]`, the record's 0-based position, when the record has no id.
 */
export interface RecordRef {
  readonly file: string;
  readonly id: string;
  readonly line?: number;
  readonly byteOffset?: number;
}

/** Thrown when an importer cannot read on; the problem is already recorded. */
export class ImportAborted extends Error {
  constructor(readonly problem: ImportProblem) {
    super(formatProblem(problem));
    this.name = 'ImportAborted';
  }
}

/** `file:line:col: message (field "x")`, the form used in every error message. */
export function formatProblem(p: ImportProblem): string {
  const where = [p.file, p.line, p.column].filter((x) => x !== undefined).join(':');
  const field = p.field ? ` (field "${p.field}")` : '';
  return `${where}: ${p.message}${field}`;
}

/** `file:line: record <id>: reason (field "x")`, a skipped record in the same form as a problem. */
export function formatSkipped(s: SkippedRecord): string {
  return formatProblem({
    severity: 'warning',
    file: s.file,
    ...(s.line !== undefined ? { line: s.line } : {}),
    ...(s.field !== undefined ? { field: s.field } : {}),
    message: skipMessage(s),
  });
}

function skipMessage(s: SkippedRecord): string {
  return `record ${s.id}${s.byteOffset !== undefined ? ` (byte ${s.byteOffset})` : ''}: ${s.reason}`;
}

/** How many skipped records are listed one by one (the count goes on). */
export const MAX_SKIPPED_LISTED = 10_000;

/**
 * Collects every problem an import finds, so a dry run can list them all.
 *
 * The import policy (main/data/README.md): a problem with ONE record is `skip(ref, field, reason)`;
 * the record is left out, the rest imports, and the report and the dataset's provenance list it.
 * With `strict` every skip is an error instead and nothing is imported. A problem with the file
 * as a whole (unreadable, not JSON, invalid UTF-8, no records at all) is `error` / `fail`.
 */
export class Problems {
  private readonly items: ImportProblem[] = [];
  private readonly skips: SkippedRecord[] = [];
  private readonly skippedKeys = new Set<string>();
  private errors = 0;
  private skipCount = 0;
  /** Problems beyond `max` are counted but not kept. */
  omitted = 0;

  constructor(
    private readonly max = 500,
    /** Refuse the import when any record would be skipped. */
    readonly strict = false,
  ) {}

  add(severity: ImportProblem['severity'], file: string, message: string, at: At = {}): ImportProblem {
    const p: ImportProblem = { severity, file, message, ...at };
    if (severity === 'error') this.errors++;
    if (this.items.length < this.max) this.items.push(p);
    else this.omitted++;
    return p;
  }

  error(file: string, message: string, at?: At): void {
    this.add('error', file, message, at);
  }

  warn(file: string, message: string, at?: At): void {
    this.add('warning', file, message, at);
  }

  /** Records an error and stops the import. */
  fail(file: string, message: string, at?: At): never {
    throw new ImportAborted(this.add('error', file, message, at));
  }

  /**
   * Leaves one record out: `ref` names it by its own id, `field` is the field at fault (undefined
   * when the record as a whole is wrong) and `reason` says what is wrong with it. A record
   * skipped twice (two bad fields) is counted once. Under `strict` it is an error.
   */
  skip(ref: RecordRef, field: string | undefined, reason: string): void {
    const key = `${ref.file}\u0000${ref.id}`;
    const first = !this.skippedKeys.has(key);
    this.skippedKeys.add(key);
    const s: SkippedRecord = {
      file: ref.file,
      id: ref.id,
      ...(field !== undefined ? { field } : {}),
      reason,
      ...(ref.line !== undefined ? { line: ref.line } : {}),
      ...(ref.byteOffset !== undefined ? { byteOffset: ref.byteOffset } : {}),
    };
    if (first) this.skipCount++;
    if (this.skips.length < MAX_SKIPPED_LISTED) this.skips.push(s);
    if (this.strict) {
      this.add('error', ref.file, skipMessage(s), {
        ...(ref.line !== undefined ? { line: ref.line } : {}),
        ...(field !== undefined ? { field } : {}),
      });
    }
  }

  /**
   * Leaves out `count` records known only as a group (a folder of a partial download): one entry
   * names the group, the skipped count grows by `count`. Prefer `skip` per record where ids exist.
   */
  skipMany(group: RecordRef, count: number, reason: string): void {
    this.skip(group, undefined, reason);
    this.skipCount += Math.max(0, count - 1);
  }

  /** True when `skip` was called for this record. */
  isSkipped(ref: Pick<RecordRef, 'file' | 'id'>): boolean {
    return this.skippedKeys.has(`${ref.file}\u0000${ref.id}`);
  }

  get errorCount(): number {
    return this.errors;
  }

  /** Records left out (each skip call; a record with two bad fields appears twice). */
  get skipped(): readonly SkippedRecord[] {
    return this.skips;
  }

  /** Distinct records left out. */
  get skippedCount(): number {
    return this.skipCount;
  }

  /** Every kept problem, and a last line counting those beyond `max`. */
  get list(): readonly ImportProblem[] {
    if (this.omitted === 0) return this.items;
    return [
      ...this.items,
      { severity: 'warning', file: '(import)', message: `${this.omitted} more problem(s) not listed` },
    ];
  }
}
