import * as tf from '@tensorflow/tfjs-core';

/**
 * A backward pass for tfjs-core 4.22 that frees what it no longer needs as it goes.
 *
 * Stock `engine.gradients` (behind tf.grads, tf.variableGrads, optimizers) runs the backward
 * walk in one tidy scope: the gradient of every intermediate tensor, the zero tensors it makes
 * for unused outputs, and every tensor saved for the backward pass stay alive until the walk
 * ends, so the peak is (everything saved) + (a gradient for every intermediate). This version
 * performs the same operations in the same order (results are bit-identical:
 * lean-backward.test.ts), but once a tape node's input gradients are computed it disposes the
 * gradients of that node's outputs (all their consumers come later on the tape, so they are
 * done) and the tensors the node saved; tensors saved by nodes off the x -> y path are freed
 * before the walk starts. The peak becomes (everything saved) + (the gradients in flight).
 *
 * Only first-order gradients take this path; inside another gradient computation
 * (gradientDepth > 0, higher-order gradients) the stock method runs. The patch is written
 * against one tfjs-core version and is not installed for any other ({@link leanBackwardUnsupportedReason}).
 */

/** The tfjs-core version whose engine internals this patch was written for. */
export const LEAN_BACKWARD_TFJS_VERSION = '4.22.0';

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
  saved?: tf.Tensor[];
}

interface GradientsResult {
  value: tf.Tensor;
  grads: tf.Tensor[];
}

type GradientsFn = (
  f: () => tf.Tensor,
  xs: tf.Tensor[],
  dy?: tf.Tensor,
  allowNoGradients?: boolean,
) => GradientsResult;

/** The parts of tfjs-core's Engine this patch uses. */
interface EngineInternals {
  state: { gradientDepth: number; activeTape: TapeNode[] | null };
  gradients: GradientsFn & { lean?: true; stock?: GradientsFn };
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  startTape(): void;
  endTape(): void;
  nextTensorId(): number;
  addTapeNode(
    kernelName: string,
    inputs: Record<string, tf.Tensor>,
    outputs: tf.Tensor[],
    gradientsFunc: unknown,
    saved: tf.Tensor[] | undefined,
    attrs: unknown,
  ): void;
  tidy<T extends tf.TensorContainer>(nameOrFn: string | (() => T), fn?: () => T): T;
}

/** The installed tfjs-core version (its own constant: works in a bundle without node_modules, bench/gpu). */
export function installedCoreVersion(): string {
  return tf.version_core;
}

/** Why the patch cannot be installed, or undefined when it can. */
export function leanBackwardUnsupportedReason(version = installedCoreVersion()): string | undefined {
  if (version !== LEAN_BACKWARD_TFJS_VERSION) {
    return `the lean backward pass was written for tfjs-core ${LEAN_BACKWARD_TFJS_VERSION}, found ${version}`;
  }
  const e = tf.engine() as unknown as Partial<EngineInternals>;
  for (const m of [
    'gradients',
    'scopedRun',
    'startTape',
    'endTape',
    'tidy',
    'nextTensorId',
    'addTapeNode',
  ] as const) {
    if (typeof e[m] !== 'function') return `tfjs engine has no ${m}()`;
  }
  return undefined;
}

/** Nodes of `tape` on a path from some x to y, inputs pruned to those that depend on an x (tfjs' tape.ts). */
function filterTape(tape: TapeNode[], xs: tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const name in node.inputs) {
      if (fromX.has(node.inputs[name]!.id)) {
        for (const o of node.outputs) fromX.add(o.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  const leadToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i]!;
    if (node.outputs.some((o) => leadToY.has(o.id))) {
      for (const name in node.inputs) {
        leadToY.add(node.inputs[name]!.id);
        nodesToY.add(node.id);
      }
    }
  }
  const filtered: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const name in node.inputs) if (fromX.has(node.inputs[name]!.id)) inputs[name] = node.inputs[name]!;
    filtered.push({ ...node, inputs, outputs: node.outputs });
  }
  return filtered;
}

function disposeSaved(node: TapeNode, unless?: (t: tf.Tensor) => boolean): void {
  for (const t of node.saved ?? []) if (!unless?.(t)) t.dispose();
}

function leanGradients(engine: EngineInternals, stock: GradientsFn): GradientsFn {
  return function gradients(f, xs, dy, allowNoGradients = false) {
    if (engine.state.gradientDepth !== 0) return stock.call(engine, f, xs, dy, allowNoGradients);
    if (xs.length === 0) throw new Error('gradients() received an empty list of xs.');
    if (dy != null && dy.dtype !== 'float32')
      throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
    // While f runs, an op none of whose inputs depends on an x (masks, noise, position tables
    // of constants) is never on an x -> y path: its saved tensors are freed at once instead of
    // at the end of the walk. The nodes that remain are exactly those filterTape keeps.
    const fromX = new Set<number>(xs.map((x) => x.id));
    const record = engine.addTapeNode;
    engine.addTapeNode = function (kernelName, inputs, outputs, gradientsFunc, saved, attrs) {
      const onPath = Object.values(inputs).some((t) => t != null && fromX.has(t.id));
      if (onPath) for (const o of outputs) fromX.add(o.id);
      // gradientDepth > 1: a gradient computed inside f needs its own nodes
      if (!onPath && engine.state.gradientDepth === 1) {
        for (const t of saved ?? []) t.dispose();
        return;
      }
      record.call(this, kernelName, inputs, outputs, gradientsFunc, saved, attrs);
    };
    let y: tf.Tensor;
    try {
      y = engine.scopedRun(
        () => engine.startTape(),
        () => engine.endTape(),
        () => engine.tidy('forward', f),
      );
    } finally {
      engine.addTapeNode = record;
    }
    if (!(y instanceof tf.Tensor)) throw new Error('The result y returned by f() must be a tensor.');
    const tape = engine.state.activeTape ?? [];
    const filtered = filterTape(tape, xs, y);
    if (!allowNoGradients && filtered.length === 0) {
      throw new Error(
        'Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed ' +
          'encloses all operations that lead from x to y.',
      );
    }
    const onPath = new Set(filtered.map((n) => n.id));
    for (const node of tape) if (!onPath.has(node.id)) disposeSaved(node); // never read again
    return engine.tidy('backward', () => {
      // Only tensors made during the walk are freed early: what stock tfjs' 'backward' scope
      // would free at its end (never a variable, a saved tensor or the caller's dy).
      const firstId = engine.nextTensorId();
      const ours = (t: tf.Tensor) => t.id > firstId;
      const grad = new Map<number, tf.Tensor>(); // tensor id -> accumulated gradient
      const refs = new Map<tf.Tensor, number>(); // how many entries of `grad` hold a tensor
      const set = (id: number, t: tf.Tensor) => {
        grad.set(id, t);
        refs.set(t, (refs.get(t) ?? 0) + 1);
      };
      /** Drops entry `id`; frees its tensor when no entry holds it any more. */
      const drop = (id: number) => {
        const t = grad.get(id);
        if (!t) return;
        grad.delete(id);
        const n = (refs.get(t) ?? 1) - 1;
        if (n > 0) refs.set(t, n);
        else {
          refs.delete(t);
          if (ours(t)) t.dispose();
        }
      };
      set(y.id, dy ?? tf.ones(y.shape));
      const xIds = new Set(xs.map((x) => x.id));
      for (let i = filtered.length - 1; i >= 0; i--) {
        const node = filtered[i]!;
        if (node.gradient == null) {
          throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
        }
        const names = Object.keys(node.inputs);
        const dys = node.outputs.map((o) => grad.get(o.id) ?? null);
        // One scope per node: also frees the zeros made for unused outputs and whatever a
        // custom gradient leaves behind (stock tfjs keeps both until the walk ends).
        const dxs = engine.tidy(() => {
          const thunks = node.gradient!(dys);
          return names.map((name) => {
            if (!(name in thunks)) {
              throw new Error(
                `Cannot backprop through input ${name}. Available gradients found: ${Object.keys(thunks)}.`,
              );
            }
            return thunks[name]!();
          });
        });
        for (const [k, name] of names.entries()) {
          const dx = dxs[k]!;
          const x = node.inputs[name]!;
          if (dx.dtype !== 'float32') {
            throw new Error(
              `Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`,
            );
          }
          if (!tf.util.arraysEqual(dx.shape, x.shape)) {
            throw new Error(
              `Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`,
            );
          }
          const cur = grad.get(x.id);
          if (cur == null) set(x.id, dx);
          else {
            const sum = tf.add(cur, dx);
            drop(x.id);
            set(x.id, sum);
            if (!refs.has(dx) && ours(dx)) dx.dispose(); // stock leaves it to the scope
          }
        }
        // Every consumer of this node's outputs came later on the tape: their gradients are done.
        for (const o of node.outputs) if (!xIds.has(o.id)) drop(o.id);
        disposeSaved(node, (t) => refs.has(t)); // unless a gradient function returned it as is
      }
      const grads = xs.map((x) => grad.get(x.id)) as tf.Tensor[];
      for (const node of tape) disposeSaved(node);
      engine.state.activeTape = null;
      return { value: y, grads };
    }) as unknown as GradientsResult;
  };
}

/**
 * Installs the lean backward pass on tfjs' engine (once; idempotent). Returns why it was not
 * installed, or undefined when it is.
 */
export function installLeanBackward(): string | undefined {
  const why = leanBackwardUnsupportedReason();
  if (why) return why;
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.gradients.lean) return undefined;
  const stock = engine.gradients;
  const lean = Object.assign(leanGradients(engine, stock), { lean: true as const, stock });
  engine.gradients = lean;
  return undefined;
}

/** Restores tfjs' own backward pass (tests compare the two). */
export function uninstallLeanBackward(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.gradients.lean && engine.gradients.stock) engine.gradients = engine.gradients.stock;
}
