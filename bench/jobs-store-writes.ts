// Store write overhead of training progress: milliseconds to store 1,000 metric points, written
// the way the scheduler's ProgressSink writes them (one transaction per flush) against one
// transaction per point and per step (4 points: loss, lr, grad norm, tokens/s).
//   npx tsx bench/jobs-store-writes.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '#db/store';
import { ProgressSink } from '#main/jobs/progress-sink';

const dir = mkdtempSync(join(tmpdir(), 'bw-bench-'));
const store = openStore(join(dir, 'w.sqlite'));
const experiment = store.experiments.insert({ name: 'bench', kind: 'finetune', config: {} });
let runs = 0;
const newRun = () =>
  store.runs.insert({
    experimentId: experiment.id,
    name: `r${runs++}`,
    scale: 'cpu-xs',
    task: 'vqa',
    datasetId: null,
    config: {},
  }).id;

function measure(label: string, perTransaction: number, total = 20_000): number {
  const runId = newRun();
  const t0 = performance.now();
  for (let i = 0; i < total; i += perTransaction) {
    const batch = Array.from({ length: perTransaction }, (_, k) => ({
      runId,
      name: `m${(i + k) % 4}`,
      step: i + k,
      value: Math.random(),
      wallTime: i,
    }));
    store.metrics.append(batch);
  }
  const ms = ((performance.now() - t0) / total) * 1000;
  console.log(`| ${label} | ${perTransaction} | ${ms.toFixed(2)} ms |`);
  return ms;
}

function measureSink(total = 20_000): number {
  const runId = newRun();
  const sink = new ProgressSink(store, () => {}, 1_000_000, 500); // flush by size: 500 points
  const t0 = performance.now();
  for (let step = 0; step < total / 4; step++) {
    sink.points(
      runId,
      [0, 1, 2, 3].map((k) => ({ runId, name: `m${k}`, step, value: Math.random(), wallTime: step })),
    );
    sink.step(runId, step, null);
  }
  sink.flush();
  const ms = ((performance.now() - t0) / total) * 1000;
  console.log(
    `| ProgressSink (buffered, step + points, flush every 500 points) | 500 | ${ms.toFixed(2)} ms |`,
  );
  return ms;
}

console.log('| writes | points per transaction | time per 1,000 points |');
console.log('|---|---|---|');
measure('one transaction per point', 1, 5_000);
measure('one transaction per step', 4);
measure('one transaction per 250 ms flush at ~40 steps/s', 160);
measure('one transaction per 1,000 points', 1000);
measureSink();
store.close();
rmSync(dir, { recursive: true, force: true });
