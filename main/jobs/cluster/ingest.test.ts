import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '#db/store';
import { tempDir } from '#db/test-helpers';
import { ClusterProfile } from '#shared/domain/cluster';
import { EventsWriter, eventsFileName, parseEvents, sortEventsFiles } from './events-file';
import { ingestRunFolder } from './ingest';
import { clusterShell } from './shell';

let tmp: ReturnType<typeof tempDir>;
let store: Store;
beforeEach(() => {
  tmp = tempDir();
  store = openStore(join(tmp.dir, 'w.sqlite'));
  store.experiments.insert({ id: 'e', name: 'E', kind: 'finetune', config: {} });
  store.runs.insert({
    id: 'r',
    experimentId: 'e',
    name: 'R',
    status: 'queued',
    scale: 'cpu-xs',
    task: 'vqa',
    datasetId: null,
    config: {},
  });
});
afterEach(() => {
  store.close();
  tmp.cleanup();
});

const profile = () =>
  ClusterProfile.parse({ name: 'lab', access: { kind: 'local' }, workDir: tmp.dir, checkout: tmp.dir });
const metric = (step: number) => ({
  msg: {
    type: 'metrics' as const,
    v: 1 as const,
    points: [{ name: 'train/loss', step, value: 1 / step, wallTime: step }],
  },
});

describe('events files', () => {
  it('parses only complete lines and reports garbage without stopping', () => {
    const text =
      '{"seq":1,"t":1,"msg":{"type":"progress","v":1,"step":1,"totalSteps":2}}\nnot json\n{"seq":2,"t":1,"msg":{"type":"prog';
    const p = parseEvents(Buffer.from(text));
    expect(p.records).toHaveLength(1);
    expect(p.bad).toEqual(['not json']);
    expect(p.consumed).toBe(text.lastIndexOf('\n') + 1);
    expect(parseEvents(Buffer.from('{"seq":1')).consumed).toBe(0);
  });

  it('orders files by job, task and restart', () => {
    expect(
      sortEventsFiles(['12_10-r0.jsonl', '12_2-r1.jsonl', '9-r0.jsonl', '12_2-r0.jsonl', 'x.txt']),
    ).toEqual(['9-r0.jsonl', '12_2-r0.jsonl', '12_2-r1.jsonl', '12_10-r0.jsonl']);
    expect(eventsFileName('12_3', 1)).toBe('12_3-r1.jsonl');
  });

  it('ingests incrementally and idempotently; a half-written line and a file without its end wait', async () => {
    const runDir = join(tmp.dir, 'run');
    mkdirSync(join(runDir, 'events'), { recursive: true });
    const job = store.clusters.addJob({
      runId: 'r',
      cluster: 'lab',
      profile: profile(),
      jobId: '5',
      taskIndex: 0,
      bundleDir: tmp.dir,
      runDir,
    });
    const shell = clusterShell(profile());
    const file = join(runDir, 'events', eventsFileName('5', 0));
    const w = new EventsWriter(file);
    w.write({
      msg: {
        type: 'started',
        v: 1,
        backend: { name: 'wasm', version: '4', device: 'cpu', threads: 1 },
        params: 10,
        step: 0,
        totalSteps: 3,
      },
    });
    w.write(metric(1));
    w.write({ msg: { type: 'progress', v: 1, step: 1, totalSteps: 3, dispatchesPerStep: 4506 } });
    appendFileSync(
      file,
      '{"seq":4,"t":1,"msg":{"type":"metrics","v":1,"points":[{"name":"train/loss","step":2,',
    );
    const first = await ingestRunFolder(store, shell, job);
    expect(first).toMatchObject({ records: 3, step: 1, end: null });
    expect(store.runs.get('r')).toMatchObject({
      status: 'running',
      step: 1,
      params: 10,
      device: 'cpu x1 on lab',
      backend: 'wasm (4); 4,506 WebGPU dispatches/step', // recorded with the backend line
    });
    expect(store.metrics.count('r')).toBe(1);
    // Nothing new: nothing stored, the cursor stays before the half line.
    expect((await ingestRunFolder(store, shell, job)).records).toBe(0);
    expect(store.clusters.cursor('r', eventsFileName('5', 0)).complete).toBe(false);
    // The line is finished and the rest follows, with the completion marker.
    appendFileSync(file, '"value":0.4,"wallTime":2}]}}\n');
    const w2 = new EventsWriter(file);
    Object.assign(w2, { seq: 4 });
    w2.write({
      msg: {
        type: 'checkpoint',
        v: 1,
        step: 2,
        path: join(runDir, 'checkpoints', 'step-0000002'),
        bytes: 100,
      },
    });
    w2.write({ end: { reason: 'completed', step: 2, signal: null } });
    w2.close();
    const second = await ingestRunFolder(store, shell, job);
    expect(second.records).toBe(3);
    expect(second.end).toMatchObject({ reason: 'completed', step: 2 });
    expect(store.metrics.count('r')).toBe(2);
    expect(store.checkpoints.list('r').map((c) => c.step)).toEqual([2]);
    const third = await ingestRunFolder(store, shell, job);
    expect(third).toMatchObject({ records: 0, end: { reason: 'completed' } });
    expect(store.metrics.count('r')).toBe(2);
  });
});
