import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { detectInput } from '#main/data/detect';
import { IMPORTERS } from '#main/data/importers/index';
import { ImportAborted, Problems } from '#main/data/problems';
import { collected } from '#main/data/types';
import type { ParsedInput } from '#shared/api/contract';
import { WorkbenchError } from '#shared/api/errors';
import type { ImportProgressEvent, ImportReport } from '#shared/domain/dataset';
import type { ServiceContext } from './context';
import { type ProgressFn, storeParsed, throwProblems } from './dataset-store';
import { storeStreamed } from './dataset-stream';

let queue: Promise<unknown> = Promise.resolve();

/** Runs imports one at a time, so blob clean-up after a failure never races another import. */
export function serialised<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}

/**
 * `datasets.import`: detects the format (unless given), parses, checks every image, and writes
 * the dataset in one transaction, emitting `onDidImportProgress`. A dry run does all the checks,
 * writes nothing and returns every problem instead of throwing.
 */
export function importDataset(
  ctx: ServiceContext,
  request: ParsedInput<'datasets.import'>,
  onProgress?: (e: ImportProgressEvent) => void,
  signal?: AbortSignal,
): Promise<ImportReport> {
  return serialised(async () => {
    const requested = resolve(request.path);
    const importId = randomUUID();
    const emit = (phase: ImportProgressEvent['phase'], done: number, total: number, message: string) => {
      const event: ImportProgressEvent = { importId, path: requested, phase, done, total, message };
      ctx.events.emit('onDidImportProgress', event);
      onProgress?.(event);
    };
    let path = requested;
    if (!existsSync(path)) throw new WorkbenchError('invalid_input', `${path} does not exist`, 'path');
    emit('detect', 0, 1, 'detecting the format');
    const detected = await detectInput(path, request.format);
    if (detected && 'candidates' in detected) {
      throw new WorkbenchError(
        'invalid_input',
        `${path} holds several datasets: ${detected.candidates.map((c) => `${basename(c.path)} (${c.importer.format})`).join(', ')}. Import one of them.`,
        'path',
      );
    }
    if (!detected) {
      throw new WorkbenchError(
        'invalid_input',
        `${path}: not a dataset format the workbench recognises. Known formats: ${IMPORTERS.map((i) => `${i.format} (${i.description})`).join('; ')}. Pass --format to choose one.`,
        'path',
      );
    }
    const { importer } = detected;
    path = detected.path;
    const problems = new Problems(500, request.options.strict);
    try {
      emit('parse', 0, 1, `reading ${importer.label}`);
      let parsed: Awaited<ReturnType<typeof importer.parse>> | undefined;
      try {
        parsed = await importer.parse(path, request.options, problems);
        if (request.dryRun) parsed = await collected(parsed);
      } catch (err) {
        if (!(err instanceof ImportAborted)) throw err;
      }
      if (!parsed || (problems.errorCount > 0 && !request.dryRun)) {
        if (!request.dryRun) throwProblems(problems, `Import of ${path} as ${importer.label} failed`);
        return failedReport(importer.format, path, problems, request.dryRun);
      }
      const how = { options: request.options, sourcePath: path, name: request.name, signal };
      const onProgress: ProgressFn = (phase, done, total, message) => emit(phase, done, total, message);
      // A streamed dataset is written batch by batch; a dry run stores nothing, so it reads it whole.
      const report =
        'batches' in parsed
          ? await storeStreamed(ctx, parsed, how, problems, onProgress)
          : await storeParsed(ctx, parsed, { ...how, dryRun: request.dryRun }, problems, onProgress);
      emit(
        'done',
        1,
        1,
        report.duplicateOf ? `already imported as ${report.duplicateOf}` : `${report.examples} examples`,
      );
      return report;
    } catch (err) {
      emit('failed', 0, 1, err instanceof Error ? err.message.split('\n')[0]! : String(err));
      throw err;
    }
  });
}

function failedReport(
  format: ImportReport['format'],
  path: string,
  problems: Problems,
  dryRun: boolean,
): ImportReport {
  return {
    dryRun,
    datasetId: null,
    duplicateOf: null,
    name: path,
    format,
    task: '',
    examples: 0,
    splits: { train: 0, validation: 0, test: 0 },
    tasks: {},
    officialSplits: [],
    images: { total: 0, new: 0 },
    problems: [...problems.list],
    skipped: [...problems.skipped],
    skippedCount: problems.skippedCount,
    contentHash: '',
    elapsedMs: 0,
  };
}
