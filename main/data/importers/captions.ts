import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { findEntry, isDir, readText, walkFiles } from '#main/data/fs-utils';
import { parseTsv } from '#main/data/text/delimited';
import {
  type ImageSource,
  type Importer,
  type ParsedBatch,
  type ParsedExample,
  STREAM_BATCH,
} from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { limited, meta, splitFromName } from './common';

const cap = taskOf('captioning');

/**
 * bioCaption TSVs (IU X-ray, PEIR Gross; nlpaueb/bioCaption): `train_images.tsv` and
 * `test_images.tsv`, `File_name<TAB>Caption` without header, images in `images/` or beside.
 */
export const biocaptionImporter: Importer = {
  format: 'biocaption',
  label: 'bioCaption TSV (PEIR Gross, IU X-ray)',
  description: '`train_images.tsv` + `test_images.tsv` (File_name<TAB>Caption) and the images',
  detect: (p) => (p.isDir ? p.entries.includes('train_images.tsv') : /_images\.tsv$/.test(p.base)),
  async parse(path, options, problems) {
    const dir = isDir(path) ? path : dirname(path);
    const files = isDir(path)
      ? readdirSync(dir)
          .filter((e) => /_images\.tsv$/i.test(e))
          .sort()
      : [basename(path)];
    const imageDir = findEntry(dir, 'images') ?? dir;
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    for (const file of files) {
      const split = splitFromName(file.replace(/_images/, ''));
      for (const [k, row] of parseTsv(await readText(join(dir, file), problems)).entries()) {
        const ref = { file, id: row.cells[0]?.trim() || `[${k}]`, line: row.line };
        if (row.cells.length !== 2 || !row.cells[0]!.trim() || !row.cells[1]!.trim()) {
          problems.skip(
            ref,
            row.cells.length === 2 ? (row.cells[0]!.trim() ? 'Caption' : 'File_name') : undefined,
            row.cells.length === 2
              ? 'the column is empty'
              : `expected 2 tab-separated columns (File_name, Caption), found ${row.cells.length}`,
          );
          continue;
        }
        const name = row.cells[0]!.trim();
        if (!images.has(name)) images.set(name, { kind: 'file', path: join(imageDir, name) });
        examples.push({
          ref,
          ...(split ? { split } : {}),
          task: 'captioning',
          inputs: {},
          target: cap.formatTarget(row.cells[1]!),
          image: name,
          meta: meta({ image: name }),
        });
      }
    }
    const peir = /peir/i.test(path);
    return {
      format: 'biocaption',
      name: peir ? 'PEIR Gross' : basename(dir),
      task: 'captioning',
      examples: limited(examples, options),
      images,
      meta: { source: 'nlpaueb/bioCaption TSV' },
    };
  },
};

/** ROCO: `{train,validation,test}/**​/captions.txt` (`ROCO_xxxxx<TAB>caption`), images in `images/` beside. */
export const rocoImporter: Importer = {
  format: 'roco',
  label: 'ROCO',
  description: '`{train,validation,test}/**/captions.txt` (ROCO_id<TAB>caption) with `images/ROCO_id.jpg`',
  detect: (p) =>
    (p.isDir && hasCaptions(p.path)) || (!p.isDir && p.base === 'captions.txt' && /^ROCO_\d+\t/.test(p.head)),
  async parse(path, options, problems) {
    const captionFiles = isDir(path) ? walkFiles(path).filter((f) => basename(f) === 'captions.txt') : [path];
    const root = isDir(path) ? path : dirname(path);
    if (captionFiles.length === 0) problems.fail(basename(path), 'no captions.txt found');
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    // Handed over STREAM_BATCH examples at a time, each made when the store asks for its batch
    // (ROCO is 81,000 figures): one captions file read at a time.
    async function* batches(): AsyncGenerator<ParsedBatch> {
      let examples: ParsedExample[] = [];
      let images = new Map<string, ImageSource>();
      let made = 0;
      files: for (const full of captionFiles) {
        const file = relative(root, full) || 'captions.txt';
        const split = relative(root, full)
          .split(/[\\/]/)
          .map((part) => splitFromName(part))
          .find((s) => s !== undefined);
        const imageDir = findEntry(dirname(full), 'images') ?? dirname(full);
        for (const [k, row] of parseTsv(await readText(full, problems)).entries()) {
          if (made >= limit) break files;
          const id = row.cells[0]?.trim() ?? '';
          const caption = row.cells.slice(1).join(' ').trim();
          const ref = { file, id: id || `[${k}]`, line: row.line };
          if (row.cells.length < 2 || !/^ROCO_\d+$/.test(id) || !caption) {
            problems.skip(ref, caption ? 'id' : 'caption', 'expected "ROCO_<number><TAB>caption"');
            continue;
          }
          const key = `${split ?? ''}/${id}`;
          if (!images.has(key)) images.set(key, { kind: 'file', path: join(imageDir, `${id}.jpg`) });
          examples.push({
            ref,
            ...(split ? { split } : {}),
            task: 'captioning',
            inputs: {},
            target: cap.formatTarget(caption),
            image: key,
            meta: meta({
              sourceId: id,
              modality: /non-radiology/.test(file) ? 'non-radiology' : 'radiology',
            }),
          });
          made++;
          if (examples.length === STREAM_BATCH) {
            yield { examples, images };
            [examples, images] = [[], new Map()];
          }
        }
      }
      if (examples.length > 0) yield { examples, images };
    }
    return {
      format: 'roco',
      name: 'ROCO',
      task: 'captioning',
      batches: batches(),
      meta: { source: 'Pelka et al. 2018, ROCO' },
    };
  },
};

/** True when a `captions.txt` sits at most `depth` folders below `dir` (cheap detection). */
function hasCaptions(dir: string, depth = 3): boolean {
  try {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isFile() && e.name === 'captions.txt') return true;
      if (e.isDirectory() && depth > 0 && e.name !== 'images' && hasCaptions(join(dir, e.name), depth - 1))
        return true;
    }
  } catch {
    // unreadable folder: not ROCO
  }
  return false;
}
