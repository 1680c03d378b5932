// Evaluation throughput per CPU rung: examples/s the evaluation worker's decoding reaches on
// VQA-RAD test questions (greedy, trie-constrained over the 517-answer set, all-candidate on the
// yes/no questions), untrained weights (speed does not depend on them). In-process: no worker
// start-up in the figure.
//   npx tsx bench/jobs-eval-throughput.ts [--n 64] [--rungs cpu-xs,cpu-s,cpu-m]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngineSession } from '#main/engine/index';
import { toEngineExample } from '#main/jobs/worker/engine-examples';
import { ExampleReader } from '#main/jobs/worker/examples';
import { openWorkbench } from '#main/services/open';
import { type PresetName, presetConfig } from '#shared/model/presets';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const n = Number(arg('n', '64'));
const rungs = arg('rungs', 'cpu-xs,cpu-s,cpu-m').split(',') as PresetName[];
const dir = mkdtempSync(join(tmpdir(), 'bw-bench-'));
const ctx = openWorkbench(dir, 'browser', { runJobs: false });
const report = await ctx.invoke('datasets.import', {
  path: join(process.cwd(), '..', 'shared', 'data', 'vqa_rad'),
});
const reader = new ExampleReader(ctx.home.databaseFile, ctx.home.blobs);
const test = reader.split(report.datasetId!, 'test').slice(0, n);
const answerSet = reader.answerSet(report.datasetId!);
console.log(`| rung | params | greedy ex/s | trie (517 answers) ex/s | all-candidate (yes/no) ex/s |`);
console.log('|---|---|---|---|---|');
for (const rung of rungs) {
  const config = presetConfig(rung);
  const session = await createEngineSession({
    preset: config,
    seed: 1,
    vocab: { kind: 'trimmed', texts: reader.texts(report.datasetId!) },
  });
  const plain = await Promise.all(test.map((e) => toEngineExample(reader, e, config.imageSize, null)));
  const withSet = await Promise.all(
    test.map((e) => toEngineExample(reader, e, config.imageSize, e.candidates ?? answerSet)),
  );
  const yesNo = withSet.filter((e) => e.candidates?.length === 2);
  const rate = async (f: () => Promise<unknown>, count: number) => {
    await f(); // warm-up (kernels, caches)
    const t0 = performance.now();
    await f();
    return count / ((performance.now() - t0) / 1000);
  };
  const batches = <T>(xs: readonly T[], size: number) =>
    Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size));
  const greedy = await rate(async () => {
    for (const b of batches(plain, 32)) await session.generate(b, { maxLen: 9, constrained: false });
  }, plain.length);
  const trie = await rate(async () => {
    for (const b of batches(withSet, 32)) await session.generate(b, { maxLen: 9, constrained: true });
  }, withSet.length);
  const allcand = await rate(() => session.scoreCandidates(yesNo), yesNo.length);
  const params = config.name;
  console.log(
    `| ${params} | ${(await import('#shared/model/weight-shapes')).parameterCount(session.config).toLocaleString('en')} | ${greedy.toFixed(1)} | ${trie.toFixed(1)} | ${allcand.toFixed(1)} |`,
  );
  session.dispose();
}
reader.close();
ctx.close();
rmSync(dir, { recursive: true, force: true });
