import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type NpyArray, parseNpz } from '#main/data/npy';
import type { ImageSource, Importer, ParsedExample } from '#main/data/types';
import { taskOf } from '#shared/tasks';
import { MEDMNIST_INFO, medmnistMetrics } from './medmnist-labels';

const cls = taskOf('image_classification');
const SPLITS = [
  ['train', 'train'],
  ['val', 'validation'],
  ['test', 'test'],
] as const;

/** `pneumoniamnist_224.npz` -> `pneumoniamnist`. */
export function medmnistFlag(file: string): string {
  return basename(file)
    .toLowerCase()
    .replace(/\.npz$/, '')
    .replace(/_(28|64|128|224)$/, '');
}

/** MedMNIST v2 `.npz` of any subset: `{train,val,test}_{images,labels}`, label names per subset. */
export const medmnistImporter: Importer = {
  format: 'medmnist',
  label: 'MedMNIST v2 (.npz)',
  description: '`{flag}.npz` with `{train,val,test}_{images,labels}`; label names from MedMNIST INFO',
  detect: (p) =>
    !p.isDir && p.base.endsWith('.npz') && (medmnistFlag(p.base) in MEDMNIST_INFO || p.head.startsWith('PK')),
  async parse(path, options, problems) {
    const name = basename(path);
    const bytes = await readFile(path).catch((err: Error) =>
      problems.fail(name, `cannot read the file (${err.message})`),
    );
    if (bytes.length === 0) problems.fail(name, 'the file is empty');
    let arrays: Record<string, NpyArray>;
    try {
      arrays = parseNpz(bytes);
    } catch (err) {
      return problems.fail(name, (err as Error).message);
    }
    const flag = medmnistFlag(path);
    const info = MEDMNIST_INFO[flag];
    if (!info) problems.warn(name, `"${flag}" is not a MedMNIST subset name; labels are kept as numbers`);
    const examples: ParsedExample[] = [];
    const images = new Map<string, ImageSource>();
    let labelCount = 0;
    for (const [key, split] of SPLITS) {
      const imgs = arrays[`${key}_images`];
      const labels = arrays[`${key}_labels`];
      if (!imgs || !labels) {
        problems.error(
          name,
          `missing arrays ${key}_images / ${key}_labels (found: ${Object.keys(arrays).join(', ') || 'none'})`,
          {
            field: `${key}_images`,
          },
        );
        continue;
      }
      const [n, ...rest] = imgs.shape;
      const volume = rest.length === 4 || (info?.volume === true && rest.length === 3);
      const [h, w] = volume ? [rest[1]!, rest[2]!] : [rest[0]!, rest[1]!];
      const channels = !volume && rest[2] === 3 ? 3 : 1;
      if (
        n === undefined ||
        !h ||
        !w ||
        imgs.dtype !== 'u1' ||
        (rest.length === 3 && !volume && rest[2] !== 3)
      ) {
        problems.error(
          name,
          `${key}_images has shape (${imgs.shape.join(', ')}) ${imgs.dtype}; expected uint8 N x H x W (x 3)`,
          {
            field: `${key}_images`,
          },
        );
        continue;
      }
      if (labels.shape[0] !== n) {
        problems.error(name, `${key}_labels has ${labels.shape[0]} rows for ${n} images`, {
          field: `${key}_labels`,
        });
        continue;
      }
      const perLabel = labels.shape[1] ?? 1;
      const perImage = rest.reduce((a, b) => a * b, 1);
      const depth = volume ? rest[0]! : 1;
      const sliceSize = h * w * channels;
      for (let i = 0; i < n && (options.limit === undefined || examples.length < options.limit); i++) {
        const row = Array.from(labels.data.subarray(i * perLabel, (i + 1) * perLabel));
        let target: string;
        if (info?.multiLabel) {
          target = info.labels.filter((_, j) => row[j] === 1).join(', ') || 'normal';
        } else {
          const idx = row[0]!;
          const label = info ? info.labels[idx] : String(idx);
          if (label === undefined) {
            problems.skip(
              { file: name, id: `${key}[${i}]` },
              `${key}_labels`,
              `unknown label ${idx} for ${info?.title ?? flag} (expected 0..${info!.labels.length - 1})`,
            );
            continue;
          }
          target = cls.formatTarget(label);
        }
        const start = i * perImage + (volume ? Math.floor(depth / 2) * sliceSize : 0);
        const imageKey = `${key}/${i}`;
        images.set(imageKey, {
          kind: 'pixels',
          name: `${key}_images[${i}]`,
          width: w,
          height: h,
          channels,
          data: imgs.data.subarray(start, start + sliceSize) as Uint8Array,
        });
        labelCount++;
        examples.push({
          ref: { file: name, id: `${key}[${i}]` },
          split,
          task: 'image_classification',
          inputs: {},
          target,
          ...(info && !info.multiLabel ? { candidates: info.labels.map(cls.formatTarget) } : {}),
          image: imageKey,
          meta: { label: target, sourceId: `${key}[${i}]`, answerType: 'closed' },
        });
      }
    }
    if (labelCount === 0 && problems.errorCount === 0 && problems.skippedCount === 0)
      problems.fail(name, 'the archive holds no images');
    return {
      format: 'medmnist',
      name: info?.title ?? flag,
      task: 'image_classification',
      examples,
      images,
      meta: {
        subset: flag,
        labelNames: info ? [...info.labels] : [],
        multiLabel: info?.multiLabel ?? false,
        medmnistTask: info ? (info.task ?? 'multi-class') : null,
        metrics: medmnistMetrics(info),
        source: 'Yang et al. 2023, MedMNIST v2',
      },
    };
  },
};
