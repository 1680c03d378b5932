import { describe, expect, it } from 'vitest';
import { computeEvaluationMetrics } from './evaluation-metrics';
import { describeWorkerDeath } from './exit-reason';
import { HostMessage, PROTOCOL_VERSION, parseMessage, WorkerMessage } from './protocol';
import { MixtureSampler } from './worker/mixture';

describe('worker protocol', () => {
  it('accepts typed messages of its version and refuses others by name', () => {
    const ok = parseMessage(WorkerMessage, {
      type: 'progress',
      v: PROTOCOL_VERSION,
      step: 3,
      totalSteps: 10,
    });
    expect(ok).toEqual({ type: 'progress', v: PROTOCOL_VERSION, step: 3, totalSteps: 10 });
    expect(() => parseMessage(WorkerMessage, { type: 'progress', v: 99, step: 3, totalSteps: 10 })).toThrow(
      /protocol version mismatch: got 99/,
    );
    expect(() => parseMessage(WorkerMessage, { type: 'explode', v: PROTOCOL_VERSION })).toThrow();
    expect(() => parseMessage(HostMessage, { type: 'cancel', v: PROTOCOL_VERSION, mode: 'later' })).toThrow();
  });

  it('names the cause of a worker death', () => {
    expect(describeWorkerDeath({ code: null, signal: 'SIGKILL' }, 'step 4')).toMatch(/killed \(SIGKILL\)/);
    expect(
      describeWorkerDeath(
        { code: 134, signal: null },
        'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory',
      ),
    ).toMatch(/ran out of memory.*smaller scale/);
    expect(describeWorkerDeath({ code: 3, signal: null }, '')).toMatch(/exited unexpectedly with code 3/);
  });
});

describe('mixture sampler', () => {
  it('samples datasets by weight and continues exactly from a saved state', () => {
    const a = new MixtureSampler([50, 7], [3, 1], 11);
    const first = Array.from({ length: 40 }, (_, s) => a.next(s + 1, 8));
    const share = first.flat().filter((p) => p.dataset === 0).length / (40 * 8);
    expect(share).toBeGreaterThan(0.65);
    expect(share).toBeLessThan(0.85);
    expect(first.flat().every((p) => p.index < (p.dataset === 0 ? 50 : 7))).toBe(true);
    const saved = JSON.parse(JSON.stringify(a.state()));
    const continued = Array.from({ length: 5 }, (_, s) => a.next(41 + s, 8));
    const resumed = new MixtureSampler([50, 7], [3, 1], 11, saved);
    expect(Array.from({ length: 5 }, (_, s) => resumed.next(41 + s, 8))).toEqual(continued);
  });
});

describe('evaluation metrics', () => {
  const row = (
    prediction: string,
    reference: string,
    answerType: string,
    candidates: string[] | null = null,
  ) => ({
    exampleId: 0,
    prediction,
    reference,
    answerType,
    candidates,
    scores: null,
  });
  it('computes the task metrics with CIs that contain the estimate, and alignment for zero-shot', () => {
    const rows = [
      ...Array.from({ length: 30 }, (_, i) => row(i % 3 ? 'yes' : 'no', 'yes', 'CLOSED', ['no', 'yes'])),
      ...Array.from({ length: 20 }, (_, i) => row(i % 2 ? 'axial' : '', 'axial', 'OPEN')),
    ];
    const m = computeEvaluationMetrics('vqa', 'zeroshot', rows);
    expect(m['accuracy']?.estimate).toBeCloseTo(30 / 50, 10);
    expect(m['accuracy_closed']).toMatchObject({ estimate: 20 / 30, n: 30 });
    expect(m['accuracy_open']).toMatchObject({ estimate: 0.5, n: 20 });
    // Closed answers are all candidates; empty open answers are out of scope.
    expect(m['alignment_accuracy']?.estimate).toBeCloseTo(40 / 50, 10);
    for (const v of Object.values(m)) {
      expect(v.low!).toBeLessThanOrEqual(v.estimate!);
      expect(v.high!).toBeGreaterThanOrEqual(v.estimate!);
    }
    expect(computeEvaluationMetrics('vqa', 'finetuned', rows)['alignment_accuracy']).toBeUndefined();
  });
});
