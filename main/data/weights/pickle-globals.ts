// What the globals a pickle may name do when it calls them: the allow-list of the safe unpickler
// (unpickle.ts), and the inert values each one builds. Nothing here runs code.
import {
  PyGlobal,
  PyObject,
  PyTuple,
  type PyValue,
  type StorageRef,
  type TensorDtype,
  TensorRef,
} from './pickle-values';

/** A pickle that names something outside the allow-list, or uses an opcode that could run code. */
export class UnsafePickleError extends Error {
  override readonly name = 'UnsafePickleError';
}

/** A pickle that is damaged or not a pickle. */
export class PickleFormatError extends Error {
  override readonly name = 'PickleFormatError';
}

const STORAGE_DTYPES: Readonly<Record<string, TensorDtype>> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

/** How an allowed global behaves when a pickle calls it: every one builds inert data. */
type Kind =
  | 'class'
  | 'dict'
  | 'list'
  | 'set'
  | 'tuple'
  | 'bytes'
  | 'marker'
  | 'reconstructor'
  | 'tensor'
  | 'parameter';

const OMEGACONF = [
  'omegaconf.dictconfig.DictConfig',
  'omegaconf.listconfig.ListConfig',
  'omegaconf.base.ContainerMetadata',
  'omegaconf.base.Metadata',
  'omegaconf.nodes.AnyNode',
  'omegaconf.nodes.StringNode',
  'omegaconf.nodes.IntegerNode',
  'omegaconf.nodes.FloatNode',
  'omegaconf.nodes.BooleanNode',
  'omegaconf.nodes.EnumNode',
  'omegaconf.nodes.BytesNode',
  'omegaconf.nodes.PathNode',
];

/** Every global a checkpoint may name, by fully qualified name. Anything else is refused by name. */
const ALLOWED: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['collections.OrderedDict', 'dict'],
  ['collections.defaultdict', 'dict'],
  ['builtins.dict', 'dict'],
  ['builtins.list', 'list'],
  ['builtins.set', 'set'],
  ['builtins.frozenset', 'set'],
  ['builtins.tuple', 'tuple'],
  ['builtins.object', 'marker'],
  ['builtins.int', 'marker'],
  ['builtins.long', 'marker'],
  ['builtins.float', 'marker'],
  ['builtins.str', 'marker'],
  ['builtins.bool', 'marker'],
  ['builtins.bytes', 'marker'],
  ['copyreg._reconstructor', 'reconstructor'],
  // protocol 2 writes bytes as _codecs.encode(text, 'latin1')
  ['_codecs.encode', 'bytes'],
  ['argparse.Namespace', 'class'],
  ['typing.Any', 'marker'],
  ['typing.Union', 'marker'],
  ['typing.Dict', 'marker'],
  ['typing.List', 'marker'],
  ['typing.Optional', 'marker'],
  ['torch._utils._rebuild_tensor', 'tensor'],
  ['torch._utils._rebuild_tensor_v2', 'tensor'],
  ['torch._utils._rebuild_parameter', 'parameter'],
  ['torch._utils._rebuild_parameter_with_state', 'parameter'],
  ['torch.Size', 'tuple'],
  ['torch.device', 'class'],
  ...Object.keys(STORAGE_DTYPES).map((s): [string, Kind] => [`torch.${s}`, 'marker']),
  ...['float16', 'float32', 'float64', 'bfloat16', 'int64', 'int32', 'uint8', 'bool'].map(
    (t): [string, Kind] => [`torch.${t}`, 'marker'],
  ),
  ...OMEGACONF.map((c): [string, Kind] => [c, 'class']),
  // numpy scalars and arrays in training metrics (kept as opaque data)
  ['numpy.core.multiarray.scalar', 'class'],
  ['numpy.core.multiarray._reconstruct', 'class'],
  ['numpy._core.multiarray.scalar', 'class'],
  ['numpy._core.multiarray._reconstruct', 'class'],
  ['numpy.dtype', 'class'],
  ['numpy.ndarray', 'class'],
]);

/** Python 2 module names protocol-2 pickles may use for builtins. */
const MODULE_ALIASES: Readonly<Record<string, string>> = { __builtin__: 'builtins', copy_reg: 'copyreg' };

/** The fully qualified names the unpickler accepts (for docs and tests). */
export const ALLOWED_GLOBALS: readonly string[] = [...ALLOWED.keys()];

function int(v: PyValue, what: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw new PickleFormatError(`${what} is not an integer`);
}

function intList(v: PyValue, what: string): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : undefined;
  if (!items) throw new PickleFormatError(`${what} is not a tuple`);
  return items.map((x) => int(x, what));
}

/** Resolves torch.save persistent ids: `('storage', torch.FloatStorage, key, location, numel)`. */
export function torchStorage(pid: PyValue): StorageRef {
  const t = pid instanceof PyTuple ? pid.items : undefined;
  if (t?.[0] !== 'storage') throw new PickleFormatError('persistent id is not a torch storage');
  const cls = t[1];
  const dtype = cls instanceof PyGlobal ? STORAGE_DTYPES[cls.name] : undefined;
  if (!dtype) throw new PickleFormatError(`unsupported storage type ${String(cls)}`);
  const key = t[2];
  if (typeof key !== 'string') throw new PickleFormatError('storage key is not a string');
  return { kind: 'storage', key, dtype, numel: int(t[4] ?? 0, 'storage size') };
}

export function call(fn: PyValue, args: readonly PyValue[], placeholders: boolean): PyValue {
  if (!(fn instanceof PyGlobal)) throw new PickleFormatError('REDUCE on a value that is not a global');
  const kind = ALLOWED.get(fn.qualified);
  switch (kind) {
    case 'dict': {
      const m = new Map<unknown, PyValue>();
      const src = args[0];
      if (Array.isArray(src))
        for (const pair of src) if (pair instanceof PyTuple) m.set(pair.items[0], pair.items[1] ?? null);
      if (src instanceof Map) for (const [k, val] of src) m.set(k, val);
      return m;
    }
    case 'list':
      return Array.isArray(args[0]) ? [...args[0]] : args[0] instanceof PyTuple ? [...args[0].items] : [];
    case 'set': {
      const src = args[0];
      return new Set(Array.isArray(src) ? src : src instanceof PyTuple ? src.items : []);
    }
    case 'tuple': {
      const src = args[0];
      return new PyTuple(Array.isArray(src) ? src : src instanceof PyTuple ? src.items : []);
    }
    case 'bytes': {
      const [text, encoding] = args;
      if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1'))
        throw new UnsafePickleError('_codecs.encode is accepted only as protocol 2 writes bytes (latin1)');
      return new Uint8Array(Buffer.from(text, 'latin1'));
    }
    case 'tensor': {
      const [storage, offset, size, stride] = args;
      if (!storage || typeof storage !== 'object' || !('kind' in storage) || storage.kind !== 'storage')
        throw new PickleFormatError('_rebuild_tensor without a storage');
      const shape = intList(size ?? null, 'tensor size');
      const strides = intList(stride ?? null, 'tensor stride');
      const t = new TensorRef(storage as StorageRef, int(offset ?? 0, 'tensor offset'), shape, strides);
      const last = shape.reduce((s, n, i) => s + (n - 1) * (strides[i] ?? 0), t.offset) + 1;
      if (shape.every((n) => n > 0) && last > t.storage.numel)
        throw new PickleFormatError(
          `tensor [${shape}] at offset ${t.offset} overruns its storage of ${t.storage.numel} elements`,
        );
      return t;
    }
    case 'parameter':
      return args[0] ?? null;
    case 'reconstructor': {
      const cls = args[0];
      if (!(cls instanceof PyGlobal)) throw new PickleFormatError('_reconstructor of a non-class');
      return new PyObject(cls.qualified, []);
    }
    case 'class':
    case 'marker':
      return new PyObject(fn.qualified, args);
    default:
      if (placeholders) return new PyObject(fn.qualified, args);
      throw new UnsafePickleError(`refused to call ${fn.qualified}`);
  }
}

export function resolveGlobal(module: string, name: string, placeholders: boolean): PyGlobal {
  const mod = MODULE_ALIASES[module] ?? module;
  const qualified = `${mod}.${name}`;
  if (!ALLOWED.has(qualified) && !placeholders) {
    throw new UnsafePickleError(
      `refused global ${module}.${name}: a checkpoint may only name tensors, containers and configs; nothing in it is executed`,
    );
  }
  return new PyGlobal(mod, name);
}
