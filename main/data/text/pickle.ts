import { PyGlobal, PyObject as PyInstance, PyTuple } from '#main/data/weights/pickle-values';
import { PickleFormatError, unpickle } from '#main/data/weights/unpickle';

/** A Python object that the reader does not reconstruct (a class instance, a numpy scalar). */
export interface PyObject {
  readonly pyGlobal: string;
  readonly args: unknown;
}

/** The safe unpickler's inert values as plain JSON-like data: dicts become objects, tuples arrays. */
function toPlain(v: unknown): unknown {
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v) out[String(k)] = toPlain(x);
    return out;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof PyTuple) return v.items.map(toPlain);
  if (v instanceof Set) return [...v].map(toPlain);
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof PyInstance) return { pyGlobal: v.cls, args: v.args.map(toPlain) } satisfies PyObject;
  if (v instanceof PyGlobal) return { pyGlobal: v.qualified, args: null } satisfies PyObject;
  return v;
}

/**
 * Reads a Python pickle (protocols 2-5) made of lists, dicts, tuples, strings, numbers, bytes,
 * booleans and None — the form of PathVQA's `qas/*_vqa.pkl` — with the weights importer's safe
 * unpickler: class instances become `PyObject` placeholders, nothing is executed, persistent ids
 * are refused. Throws with the byte offset on anything it cannot read.
 */
export function readPickle(bytes: Uint8Array): unknown {
  const refuse = (): never => {
    throw new PickleFormatError('a dataset pickle has no persistent ids (storages)');
  };
  return toPlain(unpickle(bytes, refuse, 'placeholder'));
}
