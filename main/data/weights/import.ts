import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import type {
  WeightsDetection,
  WeightsDtype,
  WeightsLoadReport,
  WeightsVocabulary,
} from '#shared/domain/weights';
import { fairseqSymbols } from '#shared/model/fairseq-vocab';
import { parameterCount } from '#shared/model/weight-shapes';
import { detectArchitecture } from './detect';
import { WeightsFormatError } from './file-reader';
import { readArchitectureFlags } from './flags';
import { stateDictOf } from './layout';
import { type LoadPlan, loadsCompletely, planLoad } from './report';
import { type LazyTensor, openWeightsFile } from './sources';
import { type WriteItem, type WriteProgress, writeCheckpoint } from './write-checkpoint';

/** The file name the engine reads from a checkpoint folder. */
export const STORED_MODEL_FILE = 'model.safetensors';

/** What {@link importWeightsFile} takes. */
export interface ImportWeightsOptions {
  readonly path: string;
  /** fairseq dict.txt; default: `dict.txt` beside the weights. */
  readonly dictPath?: string;
  /** Folder the checkpoint goes into (`<data folder>/weights/<id>`); it must not exist. Omit for a dry run. */
  readonly destDir?: string;
  /** Recorded in the stored header. */
  readonly id?: string;
  readonly progress?: (
    phase: 'read' | 'detect' | 'convert',
    done: number,
    total: number,
    message: string,
  ) => void;
}

/** What an import found and, unless a dry run, where it stored the weights. */
export interface ImportWeightsResult {
  readonly ok: boolean;
  readonly detection: WeightsDetection;
  readonly report: WeightsLoadReport;
  readonly stored: { readonly path: string; readonly sha256: string; readonly bytes: number } | null;
  /** Bytes read from the source file (storages of other sections are never read). */
  readonly bytesRead: number;
}

/** The `vocab.json` the workbench's "Export for PyTorch" writes: every symbol in id order. */
const VocabJson = z.object({ kind: z.enum(['fairseq', 'trimmed']), symbols: z.array(z.string()).min(5) });

type VocabRead = { vocab: WeightsVocabulary; symbols: string[]; lines: number } | { problem: string };

/** A workbench export's vocab.json (fairseq or trimmed id space), read as the vocabulary. */
function readVocabJson(path: string): VocabRead {
  const text = readFileSync(path, 'utf8');
  let parsed: z.infer<typeof VocabJson>;
  try {
    parsed = VocabJson.parse(JSON.parse(text));
  } catch {
    return {
      problem: `${path} is not a workbench vocab.json ({ kind, symbols }): give the dict.txt instead`,
    };
  }
  return {
    vocab: {
      kind: parsed.kind,
      size: parsed.symbols.length,
      dictPath: path,
      dictSha256: createHash('sha256').update(text).digest('hex'),
    },
    symbols: parsed.symbols,
    lines: parsed.symbols.length,
  };
}

function readVocabulary(weightsPath: string, dictPath: string | undefined): VocabRead {
  const beside = (name: string) => join(dirname(resolve(weightsPath)), name);
  const path = dictPath ? resolve(dictPath) : beside('dict.txt');
  if (!dictPath && !existsSync(path) && existsSync(beside('vocab.json')))
    return readVocabJson(beside('vocab.json'));
  if (dictPath && path.endsWith('.json') && existsSync(path)) return readVocabJson(path);
  if (!existsSync(path))
    return {
      problem: dictPath
        ? `the vocabulary ${path} does not exist`
        : `no vocabulary: there is neither a dict.txt nor a workbench vocab.json beside ${weightsPath}; give the fairseq dict.txt the weights were trained with`,
    };
  const text = readFileSync(path, 'utf8');
  const symbols = fairseqSymbols(text);
  return {
    vocab: {
      kind: 'fairseq',
      size: symbols.length,
      dictPath: path,
      dictSha256: createHash('sha256').update(text).digest('hex'),
    },
    symbols,
    lines: symbols.length - 4 - 1 - 8192 - 1000,
  };
}

function dtypeOf(tensors: readonly LazyTensor[]): WeightsDtype {
  const floats = new Set(tensors.map((t) => t.dtype).filter((d) => d.startsWith('F') || d === 'BF16'));
  if (floats.size !== 1) return floats.size === 0 ? 'fp32' : 'mixed';
  const [d] = [...floats];
  return d === 'F16' ? 'fp16' : d === 'BF16' ? 'bf16' : d === 'F32' ? 'fp32' : 'mixed';
}

const emptyReport = (totalKeys: number): WeightsLoadReport => ({
  matched: [],
  missing: [],
  unexpected: [],
  wrongShape: [],
  ignored: [],
  renamed: 0,
  problems: [],
  totalKeys,
});

/**
 * Reads a published checkpoint (fairseq `.pt`, `pytorch_model.bin`, safetensors), detects its
 * architecture and vocabulary, and reports every key. When it loads completely and `destDir` is
 * given, streams the weights into `destDir/model.safetensors` (the engine's checkpoint format),
 * written into a partial folder that is renamed into place only when complete: a failure leaves
 * nothing behind. Reads only the tensors the model needs, one at a time.
 */
export async function importWeightsFile(opts: ImportWeightsOptions): Promise<ImportWeightsResult> {
  const progress = opts.progress ?? (() => {});
  progress('read', 0, 0, `reading ${opts.path}`);
  const opened = openWeightsFile(opts.path);
  try {
    const view = stateDictOf(opened);
    progress('detect', 0, 0, `${view.tensors.size} tensors in ${view.format} (${view.tensorSource})`);
    const shapes = new Map([...view.tensors].map(([k, t]) => [k, t.shape]));
    const detected = detectArchitecture(shapes, view.args);
    const read = 'missing' in detected ? undefined : readArchitectureFlags(view.args, detected.config);
    const arch = read && !('missing' in detected) ? { ...detected, config: read.config } : detected;
    const fairseqArch =
      typeof view.args.get('arch') === 'string'
        ? (view.args.get('arch') as string)
        : typeof view.args.get('_name') === 'string'
          ? (view.args.get('_name') as string)
          : null;
    const vocab = readVocabulary(opts.path, opts.dictPath);
    let report: WeightsLoadReport;
    let plan: LoadPlan | undefined;
    if ('missing' in arch) {
      report = { ...emptyReport(shapes.size), missing: [...arch.missing], problems: [arch.message] };
    } else {
      plan = planLoad(shapes, arch.config, view.renamed);
      report = plan.report;
      report.flags = read?.flags ?? [];
      report.problems.push(...(read?.problems ?? []));
      if ('problem' in vocab) report.problems.push(vocab.problem);
      else if (vocab.vocab.size !== arch.config.vocabSize && vocab.vocab.dictPath.endsWith('.json'))
        report.problems.push(
          `encoder.embed_tokens.weight has ${arch.config.vocabSize} rows, but ${vocab.vocab.dictPath} lists ${vocab.vocab.size} symbols: not the vocabulary these weights were trained with`,
        );
      else if (vocab.vocab.size !== arch.config.vocabSize)
        report.problems.push(
          `encoder.embed_tokens.weight has ${arch.config.vocabSize} rows, but the vocabulary ${vocab.vocab.dictPath} gives ${vocab.vocab.size} ids (4 specials + ${vocab.lines} dict.txt lines + <mask> + 8,192 codes + 1,000 bins): not the dictionary these weights were trained with`,
        );
    }
    const architecture = 'missing' in arch ? null : arch;
    const used = plan ? [...plan.sources.values()].map((k) => view.tensors.get(k) as LazyTensor) : [];
    const detection: WeightsDetection = {
      sourcePath: resolve(opts.path),
      sourceFormat: view.format,
      sourceBytes: statSync(opts.path).size,
      dtype: dtypeOf(used),
      tensorSource: view.tensorSource,
      emaUsed: view.tensorSource !== 'model',
      architecture,
      parameterCount: architecture ? parameterCount(architecture.config) : 0,
      vocabulary: 'vocab' in vocab ? vocab.vocab : null,
      fairseqArch,
    };
    const ok = loadsCompletely(report);
    if (!ok || !opts.destDir || !plan || !architecture || !('vocab' in vocab))
      return { ok, detection, report, stored: null, bytesRead: opened.file.bytesRead };

    const items: WriteItem[] = plan.specs.map((spec) => {
      const sourceKey = plan.sources.get(spec.name) as string;
      return { spec, sourceKey, source: view.tensors.get(sourceKey) as LazyTensor };
    });
    const aliases = new Map(plan.aliases.map((k) => [k, view.tensors.get(k) as LazyTensor]));
    const meta: Record<string, string> = {
      format: 'pt',
      'biomed.kind': 'weights',
      config: JSON.stringify(architecture.config),
      vocab: JSON.stringify({ kind: vocab.vocab.kind, symbols: vocab.symbols }),
      step: '0',
      seed: '0',
      backend: 'import',
      extra: JSON.stringify({
        imported: {
          id: opts.id ?? null,
          sourcePath: detection.sourcePath,
          sourceFormat: detection.sourceFormat,
          tensorSource: detection.tensorSource,
          dtype: detection.dtype,
        },
      }),
    };
    const dest = resolve(opts.destDir);
    if (existsSync(dest)) throw new WeightsFormatError(`${dest} already exists`);
    const partial = `${dest}.partial`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial, { recursive: true });
    try {
      const onWrite: WriteProgress = (done, total, key) => progress('convert', done, total, key);
      const r = await writeCheckpoint(join(partial, STORED_MODEL_FILE), items, aliases, meta, onWrite);
      renameSync(partial, dest);
      return {
        ok,
        detection,
        report,
        stored: { path: join(dest, STORED_MODEL_FILE), ...r },
        bytesRead: opened.file.bytesRead,
      };
    } catch (err) {
      rmSync(partial, { recursive: true, force: true });
      throw err;
    }
  } finally {
    opened.close();
  }
}
