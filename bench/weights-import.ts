// Peak memory of importing published weights: PyTorch writes a fairseq checkpoint of a paper scale
// (default Large, 473M parameters: fp32 `model`, and with --optimizer an Adam state twice its size),
// then a fresh process imports it and reports its peak RSS against the model's fp32 weights
// (goal: <= 1.5x; the file is never held in memory).
//   npx tsx bench/weights-import.ts [--preset Large] [--dtype fp32|fp16] [--optimizer] [--keep DIR]
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importWeightsFile } from '#main/data/weights/import';
import { requireTorch, writeCheckpoints } from '#main/data/weights/test-fixtures';
import { PRESETS, type PresetName } from '#shared/model/presets';
import { numel, storedWeights } from '#shared/model/weight-shapes';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const here = dirname(fileURLToPath(import.meta.url));
const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;

if (process.argv[2] === '--child') {
  // the measured process: import only
  const [, , , source, dest] = process.argv;
  const t = performance.now();
  const r = await importWeightsFile({ path: source as string, destDir: dest as string });
  const out = {
    ok: r.ok,
    ms: Math.round(performance.now() - t),
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    bytesRead: r.bytesRead,
    storedBytes: r.stored?.bytes ?? 0,
    preset: r.detection.architecture?.preset,
    params: r.detection.parameterCount,
  };
  console.log(JSON.stringify(out));
  process.exit(0);
}

const preset = arg('preset', 'Large') as PresetName;
const dtype = arg('dtype', 'fp32') as 'fp32' | 'fp16';
const keep = arg('keep', '');
const config = PRESETS[preset];
requireTorch();
const dir = keep || mkdtempSync(join(tmpdir(), 'bw-bench-weights-'));
mkdirSync(dir, { recursive: true });
const source = join(dir, `${preset}.pt`);
try {
  let t = performance.now();
  if (!keep || !statSync(source, { throwIfNoEntry: false })) {
    writeCheckpoints(dir, [
      {
        config,
        files: [
          {
            path: source,
            layout: 'fairseq',
            dtype,
            optimizer: process.argv.includes('--optimizer'),
            arch: preset === 'Large' ? 'ofa_large' : 'ofa_custom',
          },
        ],
      },
    ]);
    console.log(
      `PyTorch wrote ${source} (${gib(statSync(source).size)}) in ${((performance.now() - t) / 1000).toFixed(0)} s`,
    );
  }
  copyFileSync(join(here, '..', '..', 'shared', 'spec', 'vocab', 'dict.txt'), join(dir, 'dict.txt'));
  const dest = join(dir, 'out');
  rmSync(dest, { recursive: true, force: true });
  t = performance.now();
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', source, dest],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    },
  );
  if (child.status !== 0) throw new Error(`import failed: ${child.stderr}`);
  const r = JSON.parse(child.stdout.trim().split('\n').at(-1) as string);
  const fp32 = storedWeights(config).reduce((s, w) => s + numel(w.shape) * 4, 0);
  console.log(
    [
      `machine: ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}; ${preset} (${r.params.toLocaleString('en')} parameters), source ${dtype}, ${gib(statSync(source).size)} file`,
      `import: ${(r.ms / 1000).toFixed(1)} s, read ${gib(r.bytesRead)} of the file, stored ${gib(r.storedBytes)}`,
      `peak RSS ${gib(r.maxRssBytes)} = ${(r.maxRssBytes / fp32).toFixed(2)}x the fp32 weights (${gib(fp32)}); goal <= 1.5x`,
    ].join('\n'),
  );
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
}
