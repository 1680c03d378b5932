/**
 * GPU time per kernel class for one train step, from timestamp queries (bench/gpu/webgpu-step.ts).
 * tfjs-backend-webgpu times programs while its `activeTimers` list is set: each program then gets
 * its own compute pass with timestamp writes and its own submit (so the timed step is slower than
 * an untimed one: it is a separate step, not one of the median's). Where the adapter has no
 * `timestamp-query` feature this returns undefined ('n/a').
 */
import * as tf from '@tensorflow/tfjs-core';

interface TimedBackend {
  supportTimestampQuery?: boolean;
  activeTimers: { name: string; query: Promise<number> }[] | null;
  programTimersStack: unknown;
  recordAndSubmit(program: { biomedKey?: string; constructor: { name: string } }, ...rest: unknown[]): void;
}

/** Program name -> kernel class (own programs are named biomed:<key>, tfjs' by class). */
const CLASSES: [string, RegExp][] = [
  ['f16 copies', /^biomed:half/],
  ['matmul', /^biomed:mm|MatMul/i],
  ['conv', /^biomed:conv|Conv|Im2Col/i],
  ['attention', /^biomed:attn|attention/i],
  ['layernorm / batchnorm', /^biomed:(ln_|bn_|rln_)|BatchNorm/i],
  ['loss', /^biomed:lsce/i],
  ['adamw / norm', /^biomed:(adamw|sumsq)/i],
  ['gelu / elementwise', /^biomed:gelu|Binary|Unary|Select|Clip|Fill/i],
  ['reduce / softmax', /^biomed:colsum|Reduce|Softmax|ArgMinMax/i],
  ['copy / gather / transpose', /Transpose|Gather|Slice|Concat|Pad|Tile|Scatter|Cast|Reshape/i],
];

const classOf = (name: string) => CLASSES.find(([, re]) => re.test(name))?.[0] ?? 'other';

/** { class: ms } and the program-level top 8, for `step`; undefined without timestamp queries. */
export async function kernelClassTimes(
  step: () => Promise<unknown>,
): Promise<{ byClass: Record<string, number>; top: Record<string, number>; totalMs: number } | undefined> {
  const b = tf.backend() as unknown as TimedBackend;
  if (!b.supportTimestampQuery) return undefined;
  const names: string[] = [];
  const record = b.recordAndSubmit;
  b.recordAndSubmit = function (this: unknown, program, ...rest) {
    names.push(program.biomedKey ? `biomed:${program.biomedKey}` : program.constructor.name);
    return record.call(this, program, ...rest);
  };
  const timers: { name: string; query: Promise<number> }[] = [];
  b.activeTimers = timers;
  b.programTimersStack = timers;
  try {
    await step();
  } finally {
    b.activeTimers = null;
    b.programTimersStack = null;
    b.recordAndSubmit = record;
  }
  const ms = await Promise.all(timers.map((t) => t.query));
  if (ms.length !== names.length) throw new Error(`timed ${ms.length} programs but recorded ${names.length}`);
  const byClass: Record<string, number> = {};
  const byProgram: Record<string, number> = {};
  ms.forEach((t, i) => {
    const n = names[i]!;
    byClass[classOf(n)] = (byClass[classOf(n)] ?? 0) + t;
    byProgram[n] = (byProgram[n] ?? 0) + t;
  });
  const top = Object.fromEntries(
    Object.entries(byProgram)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 8),
  );
  return { byClass, top, totalMs: ms.reduce((s, t) => s + t, 0) };
}
