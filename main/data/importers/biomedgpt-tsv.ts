import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isDir, readText } from '#main/data/fs-utils';
import type { Problems, RecordRef } from '#main/data/problems';
import { parseTsv, type Row } from '#main/data/text/delimited';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { type TaskId, taskOf } from '#shared/tasks';
import { answerSet, limited, meta, splitFromName, yesNoCandidates } from './common';
import { NLI_ANSWERS } from './mednli';

/** The BiomedGPT TSV kinds (spec §4.1), recognised by column count and content. */
type Kind = 'vqa' | 'caption' | 'medmnist' | 'mednli' | 'summarization';

const B64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const isB64 = (s: string | undefined): boolean =>
  s !== undefined && s.length >= 16 && B64.test(s.slice(0, 4096));

/** Base64 in either alphabet (standard or URL-safe, as OFA reads with `urlsafe_b64decode`). */
export function decodeBase64(s: string): Uint8Array {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function kindOf(cells: readonly string[]): Kind | undefined {
  if (cells.length === 6 && isB64(cells[5])) return 'vqa';
  if (cells.length === 5 && isB64(cells[4])) return 'caption';
  if (cells.length === 3 && isB64(cells[0])) return 'medmnist';
  if (cells.length === 4 && cells[3]!.startsWith('clinical:')) return 'mednli';
  if (cells.length === 2) return 'summarization';
  return undefined;
}

const TASK: Record<Kind, TaskId> = {
  vqa: 'vqa',
  caption: 'captioning',
  medmnist: 'image_classification',
  mednli: 'text_understanding',
  summarization: 'summarization',
};
const COLUMNS: Record<Kind, number> = { vqa: 6, caption: 5, medmnist: 3, mednli: 4, summarization: 2 };
const NLI_BY_INDEX: Record<string, string> = { '0': 'neutral', '1': 'entailment', '2': 'contradiction' };

function toExample(
  kind: Kind,
  row: Row,
  index: number,
  file: string,
  images: Map<string, ImageSource>,
  problems: Problems,
): ParsedExample | undefined {
  const c = row.cells;
  // The VQA and caption TSVs start with their own id; the others are named by position.
  const ref: RecordRef = {
    file,
    id: (kind === 'vqa' || kind === 'caption') && c[0]?.trim() ? c[0].trim() : `[${index}]`,
    line: row.line,
  };
  const image = (b64: string, id: string): string => {
    const key = `${file}:${row.line}`;
    images.set(key, { kind: 'bytes', name: `${file}:${row.line} (${id})`, bytes: decodeBase64(b64) });
    return key;
  };
  if (kind === 'vqa') {
    // qid, img_id, question, "conf|!+answer" joined by &&, object, b64
    const refs = c[3]!.split('&&').map((r) => {
      const [conf, ans] = r.includes('|!+') ? r.split('|!+') : ['1', r];
      return { conf: Number(conf), ans: taskOf('vqa').formatTarget(ans ?? '') };
    });
    const best = refs.sort((a, b) => b.conf - a.conf)[0];
    if (!best?.ans || !c[2])
      return void problems.skip(
        ref,
        best?.ans ? 'question' : 'answer',
        'the question or the answer is empty',
      );
    const candidates = yesNoCandidates(best.ans);
    return {
      ref,
      task: 'vqa',
      inputs: { question: c[2], organ: c[4] ?? '' },
      target: best.ans,
      ...(candidates ? { candidates } : {}),
      image: image(c[5]!, c[1]!),
      meta: meta({ sourceId: c[0], organ: c[4], answerType: candidates ? 'closed' : 'open' }),
    };
  }
  if (kind === 'caption') {
    return {
      ref,
      task: 'captioning',
      inputs: {},
      target: taskOf('captioning').formatTarget(c[2]!),
      image: image(c[4]!, c[1]!),
      meta: meta({ sourceId: c[0] }),
    };
  }
  if (kind === 'medmnist') {
    if (!c[2]?.trim()) return void problems.skip(ref, 'label_name', 'label_name is empty');
    return {
      ref,
      task: 'image_classification',
      inputs: {},
      target: taskOf('image_classification').formatTarget(c[2]),
      image: image(c[0]!, c[1]!),
      meta: meta({ label: c[2], answerType: 'closed' }),
    };
  }
  if (kind === 'mednli') {
    const gold = NLI_BY_INDEX[c[2]!.trim()] ?? c[2]!.trim();
    const target = NLI_ANSWERS[gold];
    if (!target)
      return void problems.skip(ref, 'label', `unknown label "${c[2]}" (expected 0, 1, 2 or a MedNLI label)`);
    return {
      ref,
      task: 'text_understanding',
      inputs: { s1: c[0]!, s2: c[1]! },
      target,
      candidates: ['yes', 'no', 'maybe'],
      meta: meta({ label: gold, answerType: 'closed' }),
    };
  }
  if (!c[0]?.trim() || !c[1]?.trim())
    return void problems.skip(ref, c[0]?.trim() ? 'target' : 'source', 'the source or the target is empty');
  return {
    ref,
    task: 'summarization',
    inputs: { source: c[0] },
    target: taskOf('summarization').formatTarget(c[1]),
    meta: {},
  };
}

/** The TSV files BiomedGPT's preprocessing scripts write (spec §4.1), one kind per import. */
export const biomedgptTsvImporter: Importer = {
  format: 'biomedgpt-tsv',
  label: 'BiomedGPT TSV',
  description:
    'the repo TSVs: VQA, caption, MedMNIST (base64 images, either alphabet), MedNLI, summarization',
  detect: (p) =>
    p.isDir
      ? p.entries.some((e) => e.endsWith('.tsv'))
      : p.base.endsWith('.tsv') && kindOf(p.head.split('\n')[0]!.split('\t')) !== undefined,
  async parse(path, options, problems) {
    const files = isDir(path)
      ? readdirSync(path)
          .filter((e) => e.endsWith('.tsv'))
          .sort()
          .map((e) => join(path, e))
      : [path];
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    let kind: Kind | undefined;
    for (const full of files) {
      const file = basename(full);
      const split = files.length > 1 ? splitFromName(file) : undefined;
      const rows = parseTsv(await readText(full, problems));
      kind ??= kindOf(rows[0]!.cells);
      if (!kind)
        problems.fail(
          file,
          `unrecognised columns (${rows[0]!.cells.length}); expected a BiomedGPT VQA, caption, MedMNIST, MedNLI or summarization TSV`,
          { line: rows[0]!.line },
        );
      for (const [index, row] of rows.entries()) {
        const ref: RecordRef = { file, id: `[${index}]`, line: row.line };
        if (row.cells.length !== COLUMNS[kind!]) {
          problems.skip(
            ref,
            undefined,
            `expected ${COLUMNS[kind!]} tab-separated columns (${kind} TSV), found ${row.cells.length}`,
          );
          continue;
        }
        const imageCol = kind === 'vqa' ? 5 : kind === 'caption' ? 4 : kind === 'medmnist' ? 0 : -1;
        if (imageCol >= 0 && !isB64(row.cells[imageCol])) {
          problems.skip(ref, 'image', `column ${imageCol + 1}, the image, is not base64`);
          continue;
        }
        const ex = toExample(kind!, row, index, file, images, problems);
        if (ex) examples.push(split ? { ...ex, split } : ex);
        if (options.limit !== undefined && examples.length >= options.limit) break;
      }
    }
    const task = TASK[kind ?? 'summarization'];
    const kept = limited(examples, options);
    return {
      format: 'biomedgpt-tsv',
      name: basename(path).replace(/\.tsv$/, ''),
      task,
      examples: kept,
      images,
      meta: { tsvKind: kind ?? null, ...(task === 'vqa' ? { answerSet: answerSet(kept) } : {}) },
    };
  },
};
