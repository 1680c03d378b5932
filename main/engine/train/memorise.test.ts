import { describe, expect, it } from 'vitest';
import { createEngineSession } from '#main/engine/session';
import { loadVqaRad, vqaRadAvailable } from './vqa-rad-fixture';

// The smallest rung must memorise 32 real VQA-RAD examples (image + question -> answer).
// Budget: 150 full-batch updates (lr 5e-3, warmup 5%, label smoothing 0.1, dropout on), greedy
// unconstrained decoding checked every 25 updates from update 75. On the WebAssembly backend this
// takes ~50-90 s on 2 cores (~0.45 s per update); measured 90.6% after 100 and 96.9% after 125.
describe.skipIf(!vqaRadAvailable())('memorisation (cpu-xs, VQA-RAD)', () => {
  it('reaches >= 90% exact match on 32 training examples within 150 updates', async (test) => {
    const examples = await loadVqaRad(32);
    const texts = examples.flatMap((e) => [e.source, e.target]);
    const session = await createEngineSession({
      preset: 'cpu-xs',
      seed: 1,
      vocab: { kind: 'trimmed', texts },
      backend: 'wasm',
    });
    if (session.backend.name === 'cpu') {
      // the plain JavaScript backend needs ~10 s per update here: far beyond a unit-test budget
      session.dispose();
      test.skip();
      return;
    }
    const batch = session.prepare(examples);
    const total = 150;
    let best = 0;
    const log: string[] = [];
    for (let i = 1; i <= total && best < 0.9; i++) {
      const r = await session.trainStep(batch, {
        schedule: { lr: 5e-3, totalSteps: total, warmupRatio: 0.05 },
      });
      if (i >= 75 && i % 25 === 0) {
        const { exactMatch } = await session.evaluate(examples, { maxLen: 10 });
        best = Math.max(best, exactMatch);
        log.push(
          `update ${i} (${session.backend.name}): loss ${r.loss.toFixed(3)} exact match ${exactMatch}`,
        );
      }
    }
    console.log(log.join('\n'));
    session.dispose();
    expect(best).toBeGreaterThanOrEqual(0.9);
  }, 300_000);
});
