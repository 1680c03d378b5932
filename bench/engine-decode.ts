// Decoding speed with the KV cache: per-token time at 8 vs 64 generated tokens (greedy), and
// beam 5 vs greedy, for one example (the app's interactive case).
//   npx tsx bench/engine-decode.ts [--preset cpu-s] [--backend wasm] [--reps 3] [--src 32]
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, parseBackendName } from '#main/engine/backend/index';
import { beamSearch, greedy } from '#main/engine/decode/search';
import { makeContext } from '#main/engine/model/context';
import { encode } from '#main/engine/model/encoder';
import { createWeights } from '#main/engine/model/weights';
import { type PresetName, presetConfig } from '#shared/model/presets';
import { syntheticBatch } from './train-step-tfjs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}
const preset = arg('preset', 'cpu-s') as PresetName;
const reps = Number(arg('reps', '3'));
const src = Number(arg('src', '32'));
const info = await initBackend({ prefer: parseBackendName(arg('backend', 'wasm')) ?? 'wasm', strict: true });
const config = presetConfig(preset);
const weights = createWeights(config, 1);
const ctx = makeContext(config, weights, false);
const batch = syntheticBatch(config, { batch: 1, sourceLength: src, targetLength: 1, withImage: true });
const s = config.imageSize;
const input = {
  tokens: tf.tensor2d(batch.srcTokens, [1, src], 'int32'),
  images: tf.tensor4d(batch.images!, [1, s, s, 3]),
  imageMask: tf.tensor1d([1]),
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median CPU time of this process per run (wall time is unreliable on a shared machine). */
async function time(
  fn: () => number | Promise<number>,
): Promise<{ ms: number; wall: number; tokens: number }> {
  await fn(); // warm-up (kernels, XNNPACK operators, wasm heap growth)
  const runs: number[] = [];
  const walls: number[] = [];
  let tokens = 0;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    tokens = await fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / 1000);
  }
  return { ms: median(runs), wall: median(walls), tokens };
}

const before = tf.memory().numTensors;
const enc = await time(() => {
  tf.tidy(() => {
    const e = encode(ctx, input);
    e.x.dataSync();
  });
  return 0;
});
// minLen = n - 1 bans </s> until the last step, so exactly n tokens are generated.
const gen = (n: number, beamSize: number) => async () => {
  const opts = { maxLen: n, minLen: n - 1, beamSize };
  const hyps = beamSize > 1 ? await beamSearch(ctx, input, opts) : await greedy(ctx, input, opts);
  return hyps[0]!.tokens.length;
};
const g8 = await time(gen(8, 1));
const g64 = await time(gen(64, 1));
const b8 = await time(gen(8, 5));
const b64 = await time(gen(64, 5));
const leaked = tf.memory().numTensors - before;

const per = (r: { ms: number; tokens: number }) => (r.ms - enc.ms) / Math.max(r.tokens, 1);
console.log(
  `date ${new Date().toISOString()}  load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(
  `${preset} on ${info.name}, batch 1, source ${src} tokens + image ${s}px; median CPU time of ${reps}`,
);
console.log(`encoder ${enc.ms.toFixed(1)} ms`);
console.log(
  `greedy  8 tokens: ${g8.ms.toFixed(1)} ms total (wall ${g8.wall.toFixed(0)}; ${g8.tokens} tokens), ${per(g8).toFixed(2)} ms/token after the encoder`,
);
console.log(
  `greedy 64 tokens: ${g64.ms.toFixed(1)} ms total (wall ${g64.wall.toFixed(0)}; ${g64.tokens} tokens), ${per(g64).toFixed(2)} ms/token after the encoder`,
);
console.log(`per-token ratio 64 vs 8 (KV cache): ${(per(g64) / per(g8)).toFixed(2)}x (goal <= 1.3x)`);
console.log(
  `beam 5   8 tokens: ${b8.ms.toFixed(1)} ms total (wall ${b8.wall.toFixed(0)}), ${per(b8).toFixed(2)} ms/token`,
);
console.log(
  `beam 5  64 tokens: ${b64.ms.toFixed(1)} ms total (wall ${b64.wall.toFixed(0)}), ${per(b64).toFixed(2)} ms/token`,
);
console.log(
  `beam 5 vs greedy per token: ${(per(b8) / per(g8)).toFixed(2)}x at 8, ${(per(b64) / per(g64)).toFixed(2)}x at 64 (goal <= 3x)`,
);
console.log(`tensors left after all runs: ${leaked}`);
