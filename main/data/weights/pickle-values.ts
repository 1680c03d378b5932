/** Inert values a safe unpickle produces; nothing here can run code. */

/** A class or function named by a pickle (`module.name`), already checked against the allow-list. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A Python tuple. */
export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

/** An instance of an allowed class (argparse.Namespace, omegaconf containers, numpy scalars), as data. */
export class PyObject {
  /** State given by BUILD (`__dict__` or `__setstate__` argument). */
  state: PyValue = null;
  constructor(
    readonly cls: string,
    readonly args: readonly PyValue[],
  ) {}
}

/** A storage of a torch.save zip (persistent id), not read. */
export interface StorageRef {
  readonly kind: 'storage';
  /** `data/<key>` in the archive. */
  readonly key: string;
  /** Element type from the storage class (`torch.HalfStorage` -> F16). */
  readonly dtype: TensorDtype;
  readonly numel: number;
}

/** A tensor view over a storage, not read. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    /** Element offset into the storage. */
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** Element types a checkpoint may hold. */
export type TensorDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** Bytes per element. */
export const DTYPE_BYTES: Readonly<Record<TensorDtype, number>> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Anything an unpickle can return. */
export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyTuple
  | Map<unknown, PyValue>
  | Set<unknown>
  | PyObject
  | PyGlobal
  | TensorRef
  | StorageRef;

/** A dict-like view of a value: dicts, Namespaces and omegaconf DictConfigs; undefined otherwise. */
export function asDict(v: unknown): Map<unknown, PyValue> | undefined {
  if (v instanceof Map) return v;
  if (v instanceof PyObject) {
    const s = v.state;
    if (s instanceof Map) {
      // omegaconf DictConfig keeps its items in `_content` (values wrapped in nodes)
      const content = s.get('_content');
      if (v.cls.startsWith('omegaconf.') && content instanceof Map) return content;
      return s;
    }
    if (s instanceof PyTuple) {
      for (const item of s.items) if (item instanceof Map) return asDict(new PyObjectView(v.cls, item));
    }
  }
  return undefined;
}

class PyObjectView extends PyObject {
  constructor(cls: string, state: Map<unknown, PyValue>) {
    super(cls, []);
    this.state = state;
  }
}

/** The plain value of an omegaconf node (`AnyNode` etc. keep it in `_val`), else the value itself. */
export function plain(v: unknown): unknown {
  if (v instanceof PyObject && v.cls.startsWith('omegaconf.nodes.')) {
    const d = asDict(v);
    return d ? plain(d.get('_val')) : null;
  }
  return v;
}
