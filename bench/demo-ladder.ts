// Does scale pay on a demo dataset under a recipe? Trains each rung from scratch with the demo
// job's recipe (dropout 0, drop-path 0, label smoothing 0.1, answer-trie training, polynomial decay
// to 0, AdamW wd 0.01, clip 1), on the dataset's own train split (drawn by image as the import
// does), scores its test split over the candidates (open VQA over the answer set), and tests the
// largest rung against the smallest with the paired bootstrap. Accuracies are deterministic for a
// seed; times here are per step on whatever load the machine has. The defaults are `biomed demo`'s
// recipe (its steps, batch, image side and warmup; each rung's lr from shared/model/cpu-recipe.ts),
// but the data order is the bench's own, so a seed's accuracies differ from the demo's.
//   npx tsx bench/demo-ladder.ts --help
import { DEMO_RECIPE } from '#main/cli/commands/demo';
import { DEMO_DATASETS, phantomVqa } from '#main/data/demo/index';
import { assignSplits } from '#main/data/splits';
import { createEngineSession, type Example } from '#main/engine/index';
import { bootstrapMeanCi, pairedBootstrap } from '#main/eval/bootstrap';
import { DEMO_SEED } from '#main/services/demo-datasets';
import { cpuRungLr } from '#shared/model/cpu-recipe';
import { PRESETS, type PresetName, presetConfig } from '#shared/model/presets';
import { mulberry32, shuffled } from '#shared/random';
import { buildPrompt, taskOf } from '#shared/tasks';

const HELP = `npx tsx bench/demo-ladder.ts [options]   (defaults: biomed demo's recipe)
  --dataset phantom-vqa-counts        a demo dataset id
  --rungs cpu-xs,cpu-s,cpu-m   the ladder, smallest first
  --steps N | N1,N2,N3         steps per rung (default DEMO_STEPS)
  --lr R | R1,R2,R3            peak lr per rung (default: each rung's cpuRungLr)
  --batch B  --image-size PX  --warmup RATIO  --smoothing EPS
  --seed 1 | 1,2,3             seeds (loops, then prints a summary table)
  --eval-every K               score the test split every K steps (loss, grad norm, per question)
  --resnet-blocks cpu-s:1,1,1;cpu-m:1,1,1   another ResNet depth (diagnosis only)
  --images N                   phantom-vqa-counts's image count (default DEMO_VQA_IMAGES)`;
if (process.argv.includes('--help')) {
  console.log(HELP);
  process.exit(0);
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const list = (s: string) => s.split(',').map((x) => x.trim());
const rungs = list(arg('rungs', 'cpu-xs,cpu-s,cpu-m')) as PresetName[];
const perRung = (name: string, fallback: string) => {
  const v = list(arg(name, fallback)).map(Number);
  return rungs.map((_, i) => v[Math.min(i, v.length - 1)]!);
};
const steps = perRung('steps', String(DEMO_RECIPE.steps));
const lrs = perRung('lr', rungs.map((r) => cpuRungLr(PRESETS[r])).join(','));
const batchSize = Number(arg('batch', String(DEMO_RECIPE.batchSize)));
const imageSize = Number(arg('image-size', String(DEMO_RECIPE.imageSize)));
const warmupRatio = Number(arg('warmup', String(DEMO_RECIPE.warmupRatio)));
const smoothing = Number(arg('smoothing', '0.1'));
const seeds = list(arg('seed', '1')).map(Number);
const evalEvery = Number(arg('eval-every', '0'));
// Diagnosis only: another ResNet depth for the named rungs, e.g. cpu-m:1,1,1 (changes the parameter count).
const resnetOverride = new Map(
  (arg('resnet-blocks', '') ? arg('resnet-blocks', '').split(';') : []).map((r) => {
    const [rung, blocks] = r.split(':');
    return [rung!, blocks!.split(',').map(Number) as [number, number, number]] as const;
  }),
);
const which = arg('dataset', 'phantom-vqa-counts');
const demo = DEMO_DATASETS.find((d) => d.id === which);
if (!demo) throw new Error(`unknown demo ${which}: ${DEMO_DATASETS.map((d) => d.id).join(', ')}`);
const images = Number(arg('images', '0'));
// --images: the VQA demo with another image count (the test split grows with it).
const parsed =
  images > 0 && which === 'phantom-vqa-counts' ? phantomVqa(DEMO_SEED, images) : demo.generate(DEMO_SEED);
const { splits } = assignSplits(
  parsed.examples.map((e) => ({ ...(e.split ? { split: e.split } : {}), group: e.image ?? '' })),
  { seed: DEMO_SEED, validationFraction: 0.1, testFraction: 0.1 }, // as ensureDemoDatasets imports it
);
const answerSet = Array.isArray(parsed.meta['answerSet']) ? (parsed.meta['answerSet'] as string[]) : [];
const examples: (Example & { closed: boolean })[] = parsed.examples.map((e) => {
  const img = e.image === undefined ? undefined : parsed.images.get(e.image);
  return {
    source: buildPrompt(e.task, e.inputs),
    target: e.target,
    closed: Boolean(e.candidates),
    candidates: e.candidates ?? answerSet,
    ...(img?.kind === 'pixels'
      ? { image: { data: img.data, width: img.width, height: img.height, channels: img.channels } }
      : {}),
  };
});
const train = examples.filter((_, i) => splits[i] === 'train');
const test = examples.filter((_, i) => splits[i] === 'test');
// The per-question prior: the commonest training answer to each question text.
const byQuestion = new Map<string, Map<string, number>>();
for (const e of train) {
  const m = byQuestion.get(e.source) ?? new Map<string, number>();
  m.set(e.target, (m.get(e.target) ?? 0) + 1);
  byQuestion.set(e.source, m);
}
const prior = (e: Example) =>
  [...(byQuestion.get(e.source)?.entries() ?? [])].sort((a, b) => b[1] - a[1])[0]?.[0];
const priorAcc = test.filter((e) => prior(e) === e.target).length / test.length;
console.log(
  `${parsed.name}: ${train.length} train / ${test.length} test; per-question prior ${(priorAcc * 100).toFixed(1)}%`,
);
console.log(
  `batch ${batchSize}, ${imageSize} px, warmup ${warmupRatio}, smoothing ${smoothing}, seeds ${seeds.join(',')}`,
);
const summary: string[] = [];
for (const seed of seeds) {
  const correct: number[][] = [];
  const perQuestion = (c: number[]) =>
    [...new Set(test.map((e) => e.source))]
      .map((q) => {
        const xs = c.filter((_, i) => test[i]!.source === q);
        return `${q.slice(0, 40)}: ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)} (${xs.length})`;
      })
      .join('; ');
  for (const [k, preset] of rungs.entries()) {
    const session = await createEngineSession({
      preset: presetConfig(preset, {
        imageSize,
        dropout: 0,
        dropPath: 0,
        ...(resnetOverride.has(preset) ? { resnetBlocks: resnetOverride.get(preset)! } : {}),
      }),
      seed,
      vocab: {
        kind: 'trimmed',
        texts: examples.flatMap((e) => [e.source, e.target, ...(e.candidates ?? [])]),
      },
      batch: { maxSourceTokens: taskOf(parsed.task).hyperparameters.maxSrcLength, maxTargetTokens: 30 },
      warn: () => {},
    });
    const score = async () => {
      const r = await session.scoreCandidates(test);
      return r.map((x, i): number => (x.best === test[i]!.target ? 1 : 0));
    };
    const rand = mulberry32(seed * 7919 + 3);
    let order: number[] = [];
    let trainMs = 0;
    let loss = Number.NaN;
    let gradNorm = Number.NaN;
    for (let step = 1; step <= steps[k]!; step++) {
      if (order.length < batchSize) order = [...order, ...shuffled([...train.keys()], rand)];
      const batch = session.prepare(order.splice(0, batchSize).map((i) => train[i]!));
      const t0 = performance.now();
      const r = await session.trainStep(batch, {
        schedule: { lr: lrs[k]!, totalSteps: steps[k]!, warmupRatio },
        clipNorm: 1,
        labelSmoothing: smoothing,
      });
      trainMs += performance.now() - t0;
      loss = r.loss;
      gradNorm = r.gradNorm;
      if (evalEvery > 0 && step % evalEvery === 0 && step < steps[k]!) {
        const c = await score();
        console.log(
          `  ${preset} step ${step} loss ${loss.toFixed(3)} grad norm ${gradNorm.toFixed(2)} acc ${((c.reduce((a, b) => a + b, 0) / c.length) * 100).toFixed(1)}%: ${perQuestion(c)}`,
        );
      }
    }
    const e0 = performance.now();
    const c = await score();
    const evalMs = performance.now() - e0;
    correct.push(c);
    const ci = bootstrapMeanCi(c);
    const sub = (closed: boolean) => {
      const xs = c.filter((_, i) => test[i]!.closed === closed);
      return xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3) : '-';
    };
    console.log(`  ${preset} per question: ${perQuestion(c)}`);
    console.log(
      `| ${preset} | seed ${seed} | ${steps[k]} | ${lrs[k]} | ${loss.toFixed(3)} | ${ci.estimate.toFixed(3)} [${ci.low.toFixed(3)}, ${ci.high.toFixed(3)}] | ${sub(true)} | ${sub(false)} | ${(trainMs / steps[k]!).toFixed(0)} ms/step | eval ${(evalMs / 1000).toFixed(1)} s |`,
    );
    session.dispose();
  }
  const accuracy = (c: number[]) => (c.reduce((a, b) => a + b, 0) / c.length).toFixed(3);
  let versus = '-';
  if (correct.length > 1) {
    const mean = (c: number[]) => (idx: readonly number[]) => idx.reduce((s, i) => s + c[i]!, 0) / idx.length;
    const a = correct.at(-1)!;
    const b = correct[0]!;
    const p = pairedBootstrap(a.length, mean(a), mean(b));
    console.log(
      `${rungs.at(-1)} vs ${rungs[0]}: delta ${p.delta.toFixed(3)} [${p.deltaCi.low.toFixed(3)}, ${p.deltaCi.high.toFixed(3)}], paired bootstrap p = ${p.pValue.toFixed(3)} (${a.length} examples)`,
    );
    versus = `${p.delta >= 0 ? '+' : ''}${p.delta.toFixed(3)}, p = ${p.pValue.toFixed(3)}`;
  }
  summary.push(`${seed} | ${correct.map(accuracy).join(' | ')} | ${versus}`);
}
console.log(`\nseed | ${rungs.join(' | ')} | ${rungs.at(-1)} vs ${rungs[0]}`);
for (const line of summary) console.log(line);
