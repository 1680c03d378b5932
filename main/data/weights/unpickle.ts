import { call, PickleFormatError, resolveGlobal, torchStorage, UnsafePickleError } from './pickle-globals';
import { DTYPE_BYTES, PyObject, PyTuple, type PyValue, type StorageRef, TensorRef } from './pickle-values';

export { ALLOWED_GLOBALS, PickleFormatError, UnsafePickleError } from './pickle-globals';

const MARK = Symbol('mark');
type Item = PyValue | typeof MARK;

function toNumber(b: bigint): number | bigint {
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

/**
 * A pickle (protocols 2-5) read as inert data: tensors become {@link TensorRef}s over storages
 * resolved by `persistentLoad` (never read here), containers become Maps, arrays, Sets and
 * {@link PyTuple}s, allowed classes become {@link PyObject}s. Globals outside the allow-list are
 * refused by name before anything else happens; no code is ever run.
 */
export function unpickle(
  bytes: Uint8Array,
  persistentLoad: (pid: PyValue) => PyValue = torchStorage,
  /** 'placeholder': any other global becomes an inert {@link PyObject} (a dataset's pickle, not a checkpoint). */
  unknownGlobals: 'refuse' | 'placeholder' = 'refuse',
): PyValue {
  const placeholders = unknownGlobals === 'placeholder';
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  const stack: Item[] = [];
  const memo: PyValue[] = [];
  const need = (n: number) => {
    if (pos + n > buf.length)
      throw new PickleFormatError(`pickle is truncated at byte ${pos}: it ends early`);
  };
  const u8 = () => {
    need(1);
    return buf[pos++] as number;
  };
  const take = (n: number) => {
    need(n);
    const b = buf.subarray(pos, pos + n);
    pos += n;
    return b;
  };
  const line = () => {
    const end = buf.indexOf(0x0a, pos);
    if (end < 0) throw new PickleFormatError(`pickle is truncated at byte ${pos}: it ends early`);
    const s = buf.toString('latin1', pos, end);
    pos = end + 1;
    return s;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleFormatError('pickle stack underflow');
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new PickleFormatError('pickle stack underflow');
    return v;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new PickleFormatError('pickle MARK missing');
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const setItems = (target: PyValue, items: PyValue[]) => {
    const m = target instanceof Map ? target : target instanceof PyObject ? undefined : undefined;
    for (let i = 0; i + 1 < items.length; i += 2) {
      if (m) m.set(items[i], items[i + 1] as PyValue);
      else if (target instanceof PyObject) {
        if (!(target.state instanceof Map)) target.state = new Map();
        (target.state as Map<unknown, PyValue>).set(items[i], items[i + 1] as PyValue);
      } else throw new PickleFormatError('SETITEM on a value that is not a dict');
    }
  };
  const appendItems = (target: PyValue, items: PyValue[]) => {
    if (Array.isArray(target)) target.push(...items);
    else if (target instanceof PyObject) {
      if (!Array.isArray(target.state)) target.state = [];
      (target.state as PyValue[]).push(...items);
    } else throw new PickleFormatError('APPEND on a value that is not a list');
  };
  const str = (b: Buffer) => b.toString('utf8');

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x30: // POP
        stack.pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(take(4).readInt32LE(0));
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(take(2).readUInt16LE(0));
        break;
      case 0x49: {
        // INT (text); "01"/"00" are True/False in protocol 0
        const s = line();
        stack.push(s === '01' ? true : s === '00' ? false : toNumber(BigInt(s)));
        break;
      }
      case 0x4c: // LONG (text)
        stack.push(toNumber(BigInt(line().replace(/L$/, ''))));
        break;
      case 0x8a: // LONG1
      case 0x8b: {
        // LONG4
        const n = op === 0x8a ? u8() : take(4).readInt32LE(0);
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i] as number);
        if (n > 0 && (b[n - 1] as number) & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(toNumber(v));
        break;
      }
      case 0x46: // FLOAT (text)
        stack.push(Number.parseFloat(line()));
        break;
      case 0x47: // BINFLOAT
        stack.push(take(8).readDoubleBE(0));
        break;
      case 0x58: // BINUNICODE
        stack.push(str(take(take(4).readUInt32LE(0))));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(str(take(u8())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(str(take(Number(take(8).readBigUInt64LE(0)))));
        break;
      case 0x56: // UNICODE (raw-unicode-escape line)
        stack.push(
          line().replace(/\\u([0-9a-fA-F]{4})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16))),
        );
        break;
      case 0x54: // BINSTRING
        stack.push(take(take(4).readInt32LE(0)).toString('latin1'));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(take(u8()).toString('latin1'));
        break;
      case 0x53: {
        // STRING (quoted repr)
        const s = line();
        stack.push(s.slice(1, -1));
        break;
      }
      case 0x42: // BINBYTES
        stack.push(new Uint8Array(take(take(4).readUInt32LE(0))));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(new Uint8Array(take(u8())));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(new Uint8Array(take(Number(take(8).readBigUInt64LE(0)))));
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: // TUPLE
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push(new PyTuple([pop(), b]));
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push(new PyTuple([pop(), b, c]));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: {
        // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x64: {
        // DICT
        const items = popMark();
        const m = new Map<unknown, PyValue>();
        setItems(m, items);
        stack.push(m);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push(new Set());
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark();
        const s = top();
        if (!(s instanceof Set)) throw new PickleFormatError('ADDITEMS on a value that is not a set');
        for (const i of items) s.add(i);
        break;
      }
      case 0x91: // FROZENSET
        stack.push(new Set(popMark()));
        break;
      case 0x63: {
        // GLOBAL
        const module = line();
        stack.push(resolveGlobal(module, line(), placeholders));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw new PickleFormatError('STACK_GLOBAL needs two strings');
        stack.push(resolveGlobal(module, name, placeholders));
        break;
      }
      case 0x69: {
        // INST: module and name inline, arguments since MARK
        const module = line();
        const cls = resolveGlobal(module, line(), placeholders);
        stack.push(call(cls, popMark(), placeholders));
        break;
      }
      case 0x6f: {
        // OBJ
        const items = popMark();
        const cls = items.shift() ?? null;
        stack.push(call(cls, items, placeholders));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        stack.push(call(fn, args instanceof PyTuple ? args.items : [], placeholders));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args instanceof PyTuple ? args.items : [], placeholders));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop(); // kwargs
        const args = pop();
        const cls = pop();
        stack.push(call(cls, args instanceof PyTuple ? args.items : [], placeholders));
        break;
      }
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = top();
        if (obj instanceof PyObject) obj.state = state;
        else if (obj instanceof Map && state instanceof Map) for (const [k, v] of state) obj.set(k, v);
        // tensors and others: state (requires_grad, hooks) is dropped
        break;
      }
      case 0x51: // BINPERSID
        stack.push(persistentLoad(pop()));
        break;
      case 0x50: // PERSID
        throw new UnsafePickleError(
          'text persistent ids (PERSID) are not used by torch.save and are refused',
        );
      case 0x70: // PUT
        memo[Number(line())] = top();
        break;
      case 0x71: // BINPUT
        memo[u8()] = top();
        break;
      case 0x72: // LONG_BINPUT
        memo[take(4).readUInt32LE(0)] = top();
        break;
      case 0x94: // MEMOIZE
        memo.push(top());
        break;
      case 0x67: // GET
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const i = op === 0x67 ? Number(line()) : op === 0x68 ? u8() : take(4).readUInt32LE(0);
        if (!(i in memo)) throw new PickleFormatError(`pickle memo ${i} is undefined`);
        stack.push(memo[i] as PyValue);
        break;
      }
      case 0x82:
      case 0x83:
      case 0x84:
        throw new UnsafePickleError(
          'extension-registry opcodes (EXT1/2/4) name code indirectly and are refused',
        );
      case 0x97:
      case 0x98:
        throw new UnsafePickleError('out-of-band buffers (protocol 5) are refused');
      default:
        throw new PickleFormatError(`unknown pickle opcode 0x${op.toString(16)} at byte ${pos - 1}`);
    }
  }
}

/** Bytes one storage occupies in its `data/<key>` entry. */
export function storageBytes(s: StorageRef): number {
  return s.numel * DTYPE_BYTES[s.dtype];
}
