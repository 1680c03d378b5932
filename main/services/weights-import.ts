import { randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { WeightsFormatError } from '#main/data/weights/file-reader';
import { importWeightsFile } from '#main/data/weights/import';
import { describeProblems } from '#main/data/weights/report';
import { PickleFormatError, UnsafePickleError } from '#main/data/weights/unpickle';
import type { ParsedInput } from '#shared/api/contract';
import { WorkbenchError } from '#shared/api/errors';
import type { WeightsImportResult } from '#shared/api/weights';
import type { WeightsImportProgressEvent } from '#shared/domain/weights';
import type { ServiceContext } from './context';

/** Default display name: the file's stem, or its folder for `pytorch_model.bin` / `model.safetensors`. */
function defaultName(path: string): string {
  const stem = basename(path, extname(path));
  return ['pytorch_model', 'model'].includes(stem) ? basename(dirname(path)) : stem;
}

const BAD_FILE = [WeightsFormatError, UnsafePickleError, PickleFormatError];

/**
 * `weights.import`: reads, detects and reports published weights; unless a dry run, stores them
 * as `<data folder>/weights/<id>/model.safetensors` and records them. A file that does not load
 * completely is refused with the keys that stop it, and nothing is stored. Importing the same
 * weights again returns the existing record.
 */
export async function importWeights(
  ctx: ServiceContext,
  input: ParsedInput<'weights.import'>,
): Promise<WeightsImportResult> {
  const path = resolve(input.path);
  const importId = randomUUID();
  let last = -1;
  const emit = (phase: WeightsImportProgressEvent['phase'], done: number, total: number, message: string) => {
    const pct = total > 0 ? Math.floor((100 * done) / total) : -1;
    if (phase === 'convert' && pct === last) return; // at most one event per percent
    last = pct;
    ctx.events.emit('onDidWeightsImportProgress', { importId, path, phase, done, total, message });
  };
  if (!existsSync(path)) throw new WorkbenchError('invalid_input', `${path} does not exist`, 'path');
  if (input.dictPath && !existsSync(resolve(input.dictPath)))
    throw new WorkbenchError('invalid_input', `${resolve(input.dictPath)} does not exist`, 'dictPath');
  const id = randomUUID();
  const destDir = join(ctx.home.weights, id);
  try {
    const r = await importWeightsFile({
      path,
      ...(input.dictPath ? { dictPath: input.dictPath } : {}),
      ...(input.dryRun ? {} : { destDir }),
      id,
      progress: emit,
    });
    if (!r.ok && !input.dryRun) {
      const vocab = r.report.problems.some((p) => p.includes('vocabulary'));
      throw new WorkbenchError(
        'invalid_input',
        `${path} does not load completely, nothing was stored: ${describeProblems(r.report)}`,
        vocab ? 'dictPath' : 'path',
      );
    }
    if (!r.stored) {
      emit('done', 1, 1, r.ok ? 'loads completely (dry run)' : describeProblems(r.report));
      return { ok: r.ok, dryRun: input.dryRun, detection: r.detection, report: r.report, record: null };
    }
    const { architecture, vocabulary } = r.detection;
    if (!architecture || !vocabulary) throw new Error('stored weights without architecture or vocabulary');
    const existing = ctx.store.weights.findBySha256(r.stored.sha256);
    if (existing) {
      rmSync(destDir, { recursive: true, force: true });
      emit('done', 1, 1, `already imported as ${existing.name}`);
      return { ok: true, dryRun: false, detection: r.detection, report: r.report, record: existing };
    }
    try {
      const record = ctx.store.weights.insert({
        ...r.detection,
        architecture,
        vocabulary,
        id,
        name: input.name ?? defaultName(path),
        sha256: r.stored.sha256,
        storedPath: r.stored.path,
        storedBytes: r.stored.bytes,
        report: r.report,
      });
      emit(
        'done',
        1,
        1,
        `${record.name}: ${architecture.preset}, ${record.parameterCount.toLocaleString('en')} parameters`,
      );
      return { ok: true, dryRun: false, detection: r.detection, report: r.report, record };
    } catch (err) {
      rmSync(destDir, { recursive: true, force: true });
      throw err;
    }
  } catch (err) {
    emit('failed', 0, 1, err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err));
    if (BAD_FILE.some((E) => err instanceof E))
      throw new WorkbenchError('invalid_input', (err as Error).message, 'path');
    throw err;
  }
}
