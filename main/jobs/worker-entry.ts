import { HostMessage, PROTOCOL_VERSION, parseMessage, type WorkerMessage } from './protocol';
import { runEvaluateJob } from './worker/evaluate-job';
import type { JobContext, JobMessage } from './worker/job-context';
import { DiskFullError } from './worker/session-checkpoint';
import { runTrainJob } from './worker/train-job';
import { InvalidJobError } from './worker/train-setup';
import { workerChannel } from './worker-channel';

// The engine worker process: one job, then exit. Everything it learns goes to the host as
// protocol messages; it never writes to the database.

const channel = workerChannel();
let stop: 'cancel' | 'pause' | null = null;
let started = false;
/** Last step the job reported done; a stop request arriving now lands during the next one. */
let completed = 0;

const send = (m: JobMessage): Promise<void> => channel.send({ ...m, v: PROTOCOL_VERSION } as WorkerMessage);

const ctx: JobContext = {
  send: (m) => {
    if (m.type === 'progress' || m.type === 'started') completed = m.step;
    void send(m);
  },
  log: (line, level = 'info') => {
    void send({ type: 'log', level, line });
  },
  stopRequested: () => stop,
  yieldToHost: () => new Promise((resolve) => setImmediate(resolve)),
};

function classify(err: unknown): {
  kind: 'disk_full' | 'out_of_memory' | 'invalid_input' | 'internal';
  message: string;
} {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof DiskFullError) return { kind: 'disk_full', message };
  if (err instanceof InvalidJobError) return { kind: 'invalid_input', message };
  if (/out of memory|allocation failed|bad_alloc/i.test(message)) {
    return { kind: 'out_of_memory', message: `The engine ran out of memory: ${message}` };
  }
  // The WebAssembly heap is capped at 4 GiB; past it tfjs-wasm faults with this message.
  if (/memory access out of bounds/i.test(message)) {
    return {
      kind: 'out_of_memory',
      message: `The engine ran out of WebAssembly memory (${message}). Try a smaller batch size or scale.`,
    };
  }
  return { kind: 'internal', message };
}

/** Exits after the final message has left the process (messages are sent in order). */
async function finish(last: JobMessage, code: number): Promise<void> {
  await send(last);
  process.exit(code);
}

async function run(message: HostMessage & { type: 'start' }): Promise<void> {
  try {
    const result =
      message.job.type === 'train'
        ? await runTrainJob(message.job, ctx)
        : await runEvaluateJob(message.job, ctx);
    if (result.reason !== 'completed') ctx.log(`stopped after step ${result.step}`);
    await finish({ type: 'done', reason: result.reason, step: result.step }, 0);
  } catch (err) {
    const { kind, message: text } = classify(err);
    if (err instanceof Error && err.stack && kind === 'internal') process.stderr.write(`${err.stack}\n`);
    await finish({ type: 'error', kind, message: text }, 1);
  }
}

channel.onMessage((raw) => {
  let message: HostMessage;
  try {
    message = parseMessage(HostMessage, raw);
  } catch (err) {
    void finish({ type: 'error', kind: 'internal', message: (err as Error).message }, 1);
    return;
  }
  if (message.type === 'cancel') {
    if (stop === null) ctx.log(`${message.mode} received during step ${completed + 1}`);
    stop = stop === 'cancel' ? 'cancel' : message.mode;
    return;
  }
  if (started) return;
  started = true;
  void run(message);
});

// The host going away (app crash) must not leave an orphan computing for nobody.
process.on('disconnect', () => process.exit(0));
