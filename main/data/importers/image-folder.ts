import { readdirSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { isDir, walkFiles } from '#main/data/fs-utils';
import { IMAGE_EXTENSIONS } from '#main/data/images/sniff';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { splitFromName } from './common';

const cls = taskOf('image_classification');

const subdirs = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();

const imagesIn = (dir: string): string[] =>
  walkFiles(dir).filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()));

/** `root/<class>/*` or `root/<split>/<class>/*` (split folders: train, val/valid/validation, test). */
function layout(root: string): { split?: 'train' | 'validation' | 'test'; dir: string }[] {
  const dirs = subdirs(root);
  const splitDirs = dirs.filter((d) => splitFromName(d) !== undefined);
  if (splitDirs.length > 0 && splitDirs.length === dirs.length) {
    return splitDirs.map((d) => ({ split: splitFromName(d)!, dir: join(root, d) }));
  }
  return [{ dir: root }];
}

/**
 * A folder with one sub-folder per class (optionally inside train/val/test folders); any image
 * type the workbench reads, DICOM included (de-identified; file names are not kept for DICOM).
 */
export const imageFolderImporter: Importer = {
  format: 'image-folder',
  label: 'Image folder (one sub-folder per class)',
  description: '`<class>/*.png|jpg|tif|bmp|dcm`, optionally inside `train/`, `val/`, `test/`',
  detect: (p) => {
    if (!p.isDir) return false;
    const parts = layout(p.path);
    return parts.every((part) => {
      const classes = subdirs(part.dir);
      return classes.length >= 2 && classes.every((c) => imagesIn(join(part.dir, c)).length > 0);
    });
  },
  async parse(path, options, problems) {
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    const parts = layout(path);
    const classNames = [...new Set(parts.flatMap((p) => subdirs(p.dir)))].sort();
    if (classNames.length < 2)
      problems.fail(relative(path, path) || path, 'expected at least two class sub-folders with images');
    const candidates = classNames.map(cls.formatTarget);
    for (const part of parts) {
      for (const c of subdirs(part.dir)) {
        const files = imagesIn(join(part.dir, c));
        if (files.length === 0)
          problems.warn(relative(path, join(part.dir, c)), 'class folder without images');
        for (const f of files) {
          const rel = relative(path, f);
          images.set(rel, { kind: 'file', path: f });
          const dicom = /\.(dcm|dicom)$/i.test(f);
          // DICOM file names may name the patient: such a file is named by its position only.
          const ref = dicom
            ? { file: relative(path, part.dir) || '.', id: `[${examples.length}]` }
            : { file: rel, id: rel };
          examples.push({
            ref,
            ...(part.split ? { split: part.split } : {}),
            task: 'image_classification',
            inputs: {},
            target: cls.formatTarget(c),
            candidates,
            image: rel,
            meta: dicom
              ? { label: cls.formatTarget(c), answerType: 'closed' }
              : { label: cls.formatTarget(c), answerType: 'closed', image: rel },
          });
          if (options.limit !== undefined && examples.length >= options.limit) break;
        }
      }
    }
    if (!isDir(path)) problems.fail(path, 'not a folder');
    return {
      format: 'image-folder',
      name: path.split(/[\\/]/).filter(Boolean).at(-1) ?? 'images',
      task: 'image_classification',
      examples,
      images,
      meta: { labelNames: candidates },
    };
  },
};
