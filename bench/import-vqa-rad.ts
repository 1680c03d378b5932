// Import time of VQA-RAD from ../shared/data (goal <= 5 s on the 2-core reference machine) and
// images preprocessed per second (decode, de-identify, normalise, hash, thumbnail).
//   npx tsx bench/import-vqa-rad.ts [--reps 3]
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareImage } from '#main/data/images/prepare';
import { importDataset } from '#main/services/dataset-import';
import { openWorkbench } from '#main/services/open';
import { ImportRequest } from '#shared/api/datasets';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const reps = Number(arg('reps', '3'));
const data = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'shared', 'data', 'vqa_rad');
if (!existsSync(data))
  throw new Error(`${data} is missing: the bench needs ../shared/data beside the checkout`);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// 1. Whole import, each time into a fresh data folder (cold blob store).
const importMs: number[] = [];
let examples = 0;
let images = 0;
for (let r = 0; r < reps; r++) {
  const root = mkdtempSync(join(tmpdir(), 'bw-bench-'));
  const ctx = openWorkbench(root, 'browser');
  const t = performance.now();
  const report = await importDataset(ctx, ImportRequest.parse({ path: data }));
  importMs.push(performance.now() - t);
  examples = report.examples;
  images = report.images.total;
  ctx.close();
  rmSync(root, { recursive: true, force: true });
}

// 2. Image preprocessing alone, 4 at a time as the importer runs it.
const files = readdirSync(join(data, 'images')).map((f) => join(data, 'images', f));
const imageMs: number[] = [];
for (let r = 0; r < reps; r++) {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < files.length) await prepareImage({ kind: 'file', path: files[next++]! });
    }),
  );
  imageMs.push(performance.now() - t);
}

const imp = median(importMs);
const img = median(imageMs);
console.log(
  `machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, load ${loadavg()[0]!.toFixed(2)}, node ${process.version}`,
);
console.log(
  `VQA-RAD import: ${examples} examples, ${images} images: median ${(imp / 1000).toFixed(2)} s of ${reps} (goal <= 5 s) [${importMs.map((m) => (m / 1000).toFixed(2)).join(', ')}]`,
);
console.log(
  `image preprocessing: ${files.length} JPEGs in ${(img / 1000).toFixed(2)} s = ${(files.length / (img / 1000)).toFixed(0)} images/s`,
);
