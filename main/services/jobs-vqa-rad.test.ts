import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Real worker processes: generous limits for a loaded 2-core machine (the suite default is 120 s).
vi.setConfig({ testTimeout: 600_000, hookTimeout: 300_000 });

import { normalizeAnswer } from '#main/eval/index';
import type { EvaluationSummary } from '#shared/domain/evaluation';
import { startFinetune, vqaRadWorkbench, waitUntil } from './job-test-helpers';

// The main job end to end on real data: a smallest-rung (cpu-xs) fine-tune on VQA-RAD from
// ../shared/data, scheduled, trained and evaluated in real worker processes, then checked against
// the majority-answer baseline of the test split ("no", 133 of 451 = 29.5%). Training is STEPS
// trie-constrained updates (OFA's recipe) at batch 32 on 32 px images: ~100 s on an idle 2-core
// machine (3 min under load), plus ~15 s for worker start and the 451-question evaluation.
// 300 steps were too few to clear the baseline reliably: with the engine's FMA matrix product
// (bench/RESULTS.md, issue 13) seeds 1, 2, 3 gave 28.6%, 29.7%, 35.0% (33.7% with XNNPACK's
// rounding, seed 1). At 600 steps seeds 1 and 2 gave 33.3% [28.8, 37.5] and 35.7% [31.5, 40.1].
// Unconstrained training stays at the answer-type prior (27.1% at 300 steps), so the test also
// guards the constrained loss.
const STEPS = 600;

let env: Awaited<ReturnType<typeof vqaRadWorkbench>>;
beforeAll(async () => {
  env = await vqaRadWorkbench();
});
afterAll(() => env?.dispose());

describe('VQA-RAD fine-tune through the scheduler', () => {
  it('stores metrics and predictions and beats the majority answer', async () => {
    const { ctx } = env;
    const runId = await startFinetune(
      ctx,
      env.datasetId,
      {
        steps: STEPS,
        batchSize: 32,
        lr: 2e-3,
        warmupRatio: 0.05,
        imageSize: 32,
        labelSmoothing: 0,
        maxSrcLength: 40,
        maxTgtLength: 12,
        seed: 1,
        checkpointEvery: STEPS,
      },
      { split: 'test' },
    );
    const run = await ctx.scheduler.waitForRun(runId);
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(run.backend).toMatch(/wasm|cpu|tensorflow/);
    expect(run.params).toBeGreaterThan(100_000);
    const losses = ctx.store.metrics.series(runId, ['train/loss'])[0]!.points;
    expect(losses.map((p) => p.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    const mean = (xs: { value: number }[]) => xs.reduce((s, p) => s + p.value, 0) / xs.length;
    expect(mean(losses.slice(-20))).toBeLessThan(mean(losses.slice(0, 20)));

    let evaluation: EvaluationSummary | undefined;
    await waitUntil(
      () => {
        evaluation = ctx.store.evaluations.list({ runId })[0];
        return evaluation?.status === 'succeeded' || evaluation?.status === 'failed';
      },
      300_000,
      'the follow-up evaluation',
    );
    expect(evaluation!.status, evaluation!.error ?? '').toBe('succeeded');
    expect(evaluation!.mode).toBe('finetuned');
    expect(evaluation!.decoding.strategy).toBe('trie');

    // Every test question has a stored prediction beside its reference and inputs.
    const targets = ctx.store.examples.list(env.datasetId, 'test');
    expect(targets).toHaveLength(451);
    const page = await ctx.invoke('evaluations.predictions', { id: evaluation!.id, limit: 1000 });
    expect(page.total).toBe(451);
    const byId = new Map(targets.map((t) => [t.id, t.target]));
    for (const p of page.predictions) {
      expect(p.reference).toBe(byId.get(p.exampleId));
      expect(p.inputs['question']).toBeTruthy();
      expect(p.source).toContain('object:');
    }

    // Metrics with bootstrap CIs, and the baseline: always answering the most frequent answer.
    const counts = new Map<string, number>();
    for (const t of targets)
      counts.set(normalizeAnswer(t.target), (counts.get(normalizeAnswer(t.target)) ?? 0) + 1);
    const majority = Math.max(...counts.values()) / targets.length;
    const acc = evaluation!.metrics['accuracy']!;
    expect(acc.n).toBe(451);
    expect(acc.low!).toBeLessThanOrEqual(acc.estimate!);
    expect(acc.high!).toBeGreaterThanOrEqual(acc.estimate!);
    expect(evaluation!.metrics['accuracy_closed']?.n).toBeGreaterThan(200);
    console.info(
      `VQA-RAD test accuracy after ${STEPS} steps: ${acc.estimate} [${acc.low}, ${acc.high}], majority ${majority}`,
    );
    expect(acc.estimate!).toBeGreaterThan(majority);
    // The run carries the result as its best metric and as a metric series.
    expect(ctx.store.runs.get(runId)?.bestMetric).toBeCloseTo(acc.estimate!, 10);
    expect(ctx.store.metrics.series(runId, ['test/accuracy'])[0]?.points).toHaveLength(1);
  });
});
