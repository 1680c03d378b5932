import type { ImportProblem } from '#shared/domain/dataset';

/** Where in a file a problem is. */
export interface At {
  readonly line?: number;
  readonly column?: number;
  readonly field?: string;
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

/** Collects every problem an import finds, so a dry run can list them all. */
export class Problems {
  private readonly items: ImportProblem[] = [];
  private errors = 0;
  /** Problems beyond `max` are counted but not kept. */
  omitted = 0;

  constructor(private readonly max = 500) {}

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

  get errorCount(): number {
    return this.errors;
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
