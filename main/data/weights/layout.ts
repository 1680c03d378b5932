import type { WeightsSourceFormat, WeightsTensorSource } from '#shared/domain/weights';
import { fairseqName } from '#shared/model/hf-names';
import { WeightsFormatError } from './file-reader';
import { asDict, type PyValue, plain, TensorRef } from './pickle-values';
import type { LazyTensor, OpenedFile } from './sources';

/** The state dict an import reads, with what the file says about its training run. */
export interface StateDictView {
  readonly format: WeightsSourceFormat;
  readonly tensorSource: WeightsTensorSource;
  /** By fairseq name, in file order (aliases included). */
  readonly tensors: ReadonlyMap<string, LazyTensor>;
  /** Keys whose Hugging Face name was mapped. */
  readonly renamed: number;
  /** Keys of the file that are not tensors (skipped). */
  readonly nonTensorKeys: readonly string[];
  /** fairseq arguments (`args` Namespace, or `cfg.model`), as plain values. */
  readonly args: ReadonlyMap<string, unknown>;
}

function tensorsOf(
  file: OpenedFile,
  dict: Map<unknown, PyValue>,
): { tensors: Map<string, LazyTensor>; nonTensor: string[] } {
  const tensors = new Map<string, LazyTensor>();
  const nonTensor: string[] = [];
  for (const [k, v] of dict) {
    if (typeof k !== 'string') continue;
    if (v instanceof TensorRef) tensors.set(k, file.tensor(v));
    else nonTensor.push(k);
  }
  return { tensors, nonTensor };
}

function argsOf(root: Map<unknown, PyValue>): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const add = (d: Map<unknown, PyValue> | undefined) => {
    if (d) for (const [k, v] of d) if (typeof k === 'string' && !out.has(k)) out.set(k, plain(v));
  };
  add(asDict(root.get('args')));
  const cfg = asDict(root.get('cfg'));
  if (cfg) {
    add(asDict(cfg.get('model')));
    add(asDict(cfg.get('task')));
  }
  return out;
}

/** fairseq names for every key (HF OFA names mapped; a leading `model.` dropped when every key has it). */
function rename(tensors: Map<string, LazyTensor>): { tensors: Map<string, LazyTensor>; renamed: number } {
  const keys = [...tensors.keys()];
  const strip = keys.length > 0 && keys.every((k) => k.startsWith('model.'));
  const out = new Map<string, LazyTensor>();
  let renamed = 0;
  for (const [k, t] of tensors) {
    const base = strip ? k.slice('model.'.length) : k;
    const name = fairseqName(base);
    if (name !== k) renamed++;
    if (out.has(name)) throw new WeightsFormatError(`two keys of the file map to ${name}`);
    out.set(name, t);
  }
  return { tensors: out, renamed };
}

/**
 * Picks the weights to import: a fairseq checkpoint's EMA weights where it has them
 * (`extra_state.ema_fp32_params` for parameters over `extra_state.ema`), else its `model`;
 * a flat state dict (pytorch_model.bin, safetensors) as it is. The optimizer state is never touched.
 */
export function stateDictOf(file: OpenedFile): StateDictView {
  if (file.container === 'safetensors') {
    const r = rename(file.tensors);
    return {
      format: 'safetensors',
      tensorSource: 'model',
      tensors: r.tensors,
      renamed: r.renamed,
      nonTensorKeys: [],
      args: new Map(),
    };
  }
  const root = asDict(file.root);
  if (!root) throw new WeightsFormatError(`${file.file.path}: the pickle's root is not a dict`);
  const model = asDict(root.get('model')) ?? asDict(root.get('state_dict'));
  if (!model) {
    const { tensors, nonTensor } = tensorsOf(file, root);
    if (tensors.size === 0)
      throw new WeightsFormatError(
        `${file.file.path}: neither a fairseq checkpoint ('model') nor a state dict`,
      );
    const r = rename(tensors);
    return {
      format: 'hf-bin',
      tensorSource: 'model',
      tensors: r.tensors,
      renamed: r.renamed,
      nonTensorKeys: nonTensor,
      args: new Map(),
    };
  }
  const extra = asDict(root.get('extra_state'));
  const ema = asDict(extra?.get('ema'));
  const emaFp32 = asDict(extra?.get('ema_fp32_params'));
  const base = tensorsOf(file, ema && ema.size > 0 ? ema : model);
  let source: WeightsTensorSource = ema && ema.size > 0 ? 'ema' : 'model';
  if (source === 'ema' && emaFp32 && emaFp32.size > 0) {
    for (const [k, t] of tensorsOf(file, emaFp32).tensors) if (base.tensors.has(k)) base.tensors.set(k, t);
    source = 'ema-fp32';
  }
  const r = rename(base.tensors);
  return {
    format: 'fairseq-pt',
    tensorSource: source,
    tensors: r.tensors,
    renamed: r.renamed,
    nonTensorKeys: base.nonTensor,
    args: argsOf(root),
  };
}
