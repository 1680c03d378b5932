// Are the shipped demo datasets learnable by the smallest CPU rung within minutes? Trains cpu-xs
// on a demo dataset from scratch and compares held-out accuracy (candidate scoring) with the
// majority-class baseline.
//   npx tsx bench/demo-learnability.ts [--dataset phantom-classification|phantom-vqa-counts|notes-nli|notes-qa] [--seconds 120] [--batch 16]
//     [--preset cpu-xs] [--steps N (instead of --seconds)] [--lr 1e-3] [--seed 1]

import { DEMO_DATASETS } from '#main/data/demo/index';
import { createEngineSession, type Example } from '#main/engine/index';
import { mulberry32, shuffled } from '#shared/random';
import { buildPrompt, taskOf } from '#shared/tasks';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const which = arg('dataset', 'phantom-classification');
const seconds = Number(arg('seconds', '120'));
const batchSize = Number(arg('batch', '16'));
const evalEvery = Number(arg('eval-every', '50'));
const preset = arg('preset', 'cpu-xs') as 'cpu-xs' | 'cpu-s' | 'cpu-m';
const fixedSteps = Number(arg('steps', '0'));
const lr = Number(arg('lr', '1e-3'));
const seed = Number(arg('seed', '1'));
const demo = DEMO_DATASETS.find((d) => d.id === which);
if (!demo) throw new Error(`unknown demo ${which}: ${DEMO_DATASETS.map((d) => d.id).join(', ')}`);
const parsed = demo.generate(7);

const examples: Example[] = parsed.examples.map((e) => {
  const img = e.image === undefined ? undefined : parsed.images.get(e.image);
  return {
    source: buildPrompt(e.task, e.inputs),
    target: e.target,
    ...(e.candidates ? { candidates: e.candidates } : {}),
    ...(img?.kind === 'pixels'
      ? { image: { data: img.data, width: img.width, height: img.height, channels: img.channels } }
      : {}),
  };
});
const cut = Math.floor(examples.length * 0.8);
const train = examples.slice(0, cut);
// Open questions are scored over the dataset's answer set ("allcand"), as BiomedGPT evaluates VQA.
const answerSet = Array.isArray(parsed.meta['answerSet']) ? (parsed.meta['answerSet'] as string[]) : [];
const test = examples
  .slice(cut, cut + Number(arg('test', '120')))
  .map((e) => (e.candidates || answerSet.length === 0 ? e : { ...e, candidates: answerSet }));
const counts = new Map<string, number>();
for (const e of train) counts.set(e.target, (counts.get(e.target) ?? 0) + 1);
const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
const baseline = test.filter((e) => e.target === majority).length / test.length;

const session = await createEngineSession({
  preset,
  seed,
  vocab: { kind: 'trimmed', texts: examples.flatMap((e) => [e.source, e.target, ...(e.candidates ?? [])]) },
  // Source and target lengths of the task (spec §2.2), capped by the rung's positions.
  batch: {
    maxSourceTokens: Math.min(taskOf(parsed.task).hyperparameters.maxSrcLength, 254),
    maxTargetTokens: 30,
  },
  warn: () => {},
});
const accuracy = async () => {
  const r = await session.scoreCandidates(test);
  return r.filter((x, i) => x.best === test[i]!.target).length / test.length;
};
console.log(
  `${parsed.name}: ${train.length} train / ${test.length} test, majority "${majority}" = ${(baseline * 100).toFixed(1)}%`,
);
console.log(
  `backend ${session.backend.name}; ${preset} from scratch, batch ${batchSize}, lr ${lr}, ${fixedSteps > 0 ? `${fixedSteps} steps` : `${seconds} s budget`}`,
);
const started = performance.now();
const estSteps = fixedSteps > 0 ? fixedSteps : 400;
let step = 0;
const rand = mulberry32(3);
let order = [...train.keys()];
let firstBeat: string | null = null;
while (fixedSteps > 0 ? step < fixedSteps : (performance.now() - started) / 1000 < seconds) {
  if (step % Math.floor(train.length / batchSize) === 0) order = shuffled(order, rand);
  const at = (step * batchSize) % (train.length - batchSize);
  const batch = session.prepare(order.slice(at, at + batchSize).map((k) => train[k]!));
  const r = await session.trainStep(batch, {
    schedule: { lr, totalSteps: estSteps, warmupRatio: 0.05, endLr: lr / 10 },
    clipNorm: 1,
  });
  step++;
  if (step % evalEvery === 0) {
    const t = (performance.now() - started) / 1000;
    const a = await accuracy();
    console.log(
      `step ${step} loss ${r.loss.toFixed(3)} held-out ${(a * 100).toFixed(1)}% (${t.toFixed(0)} s)`,
    );
    if (a > baseline + 0.1 && firstBeat === null) firstBeat = `step ${step}, ${t.toFixed(0)} s`;
  }
}
const trainSeconds = (performance.now() - started) / 1000;
const acc = await accuracy();
console.log(
  `after ${step} steps (${trainSeconds.toFixed(0)} s incl. evals): held-out accuracy ${(acc * 100).toFixed(1)}% vs majority ${(baseline * 100).toFixed(1)}% -> ${acc > baseline ? 'beats' : 'does NOT beat'} the baseline; first > baseline + 10 points at ${firstBeat ?? 'never'}`,
);
session.dispose();
