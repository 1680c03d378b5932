/** A Python object that the reader does not reconstruct (a class instance, a numpy scalar). */
export interface PyObject {
  readonly pyGlobal: string;
  readonly args: unknown;
}

const MARK = Symbol('mark');

/**
 * Reads a Python pickle (protocols 2-5) made of lists, dicts, tuples, strings, numbers, bytes,
 * booleans and None — the form of PathVQA's `qas/*_vqa.pkl`. Class instances become `PyObject`
 * placeholders; nothing is executed. Throws with the byte offset on anything it cannot read.
 */
export function readPickle(bytes: Uint8Array): unknown {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  const text = new TextDecoder('utf-8');
  let i = 0;
  const need = (n: number) => {
    if (i + n > bytes.length) throw new Error(`pickle is truncated at byte ${i}`);
  };
  const take = (n: number) => {
    need(n);
    const out = bytes.subarray(i, i + n);
    i += n;
    return out;
  };
  const u8 = () => take(1)[0]!;
  const u32 = () => {
    need(4);
    const x = v.getUint32(i, true);
    i += 4;
    return x;
  };
  const popMark = (): unknown[] => {
    const k = stack.lastIndexOf(MARK);
    if (k < 0) throw new Error(`pickle has no MARK before byte ${i}`);
    const items = stack.splice(k);
    items.shift();
    return items;
  };
  const top = () => stack[stack.length - 1];
  const setItems = (dict: Record<string, unknown>, items: unknown[]) => {
    for (let k = 0; k + 1 < items.length; k += 2) dict[String(items[k])] = items[k + 1];
  };
  for (;;) {
    const at = i;
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        return stack.pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: // APPEND
        (stack[stack.length - 2] as unknown[]).push(stack.pop());
        break;
      case 0x65: {
        // APPENDS
        const items = popMark();
        (top() as unknown[]).push(...items);
        break;
      }
      case 0x7d: // EMPTY_DICT
        stack.push({});
        break;
      case 0x64: {
        // DICT
        const d: Record<string, unknown> = {};
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = stack.pop();
        const key = stack.pop();
        (top() as Record<string, unknown>)[String(key)] = value;
        break;
      }
      case 0x75: // SETITEMS
        setItems(stack.at(stack.lastIndexOf(MARK) - 1) as Record<string, unknown>, popMark());
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85:
      case 0x86:
      case 0x87: {
        // TUPLE1..3
        const n = op - 0x84;
        stack.push(stack.splice(stack.length - n, n));
        break;
      }
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4a: // BININT
        need(4);
        stack.push(v.getInt32(i, true));
        i += 4;
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        need(2);
        stack.push(v.getUint16(i, true));
        i += 2;
        break;
      case 0x8a: {
        // LONG1
        const b = take(u8());
        let x = 0n;
        for (let k = b.length - 1; k >= 0; k--) x = (x << 8n) | BigInt(b[k]!);
        if (b.length > 0 && b[b.length - 1]! & 0x80) x -= 1n << BigInt(8 * b.length);
        stack.push(Number(x));
        break;
      }
      case 0x47: // BINFLOAT
        need(8);
        stack.push(v.getFloat64(i, false));
        i += 8;
        break;
      case 0x58: // BINUNICODE
        stack.push(text.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text.decode(take(u8())));
        break;
      case 0x8d: {
        // BINUNICODE8
        need(8);
        const n = Number(v.getBigUint64(i, true));
        i += 8;
        stack.push(text.decode(take(n)));
        break;
      }
      case 0x55: // SHORT_BINSTRING (Python 2 str)
        stack.push(Buffer.from(take(u8())).toString('latin1'));
        break;
      case 0x54: // BINSTRING
        stack.push(Buffer.from(take(u32())).toString('latin1'));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x71: // BINPUT
        memo.set(u8(), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
        stack.push(memo.get(u8()));
        break;
      case 0x6a: // LONG_BINGET
        stack.push(memo.get(u32()));
        break;
      case 0x63: {
        // GLOBAL "module\nname\n"
        let end = bytes.indexOf(10, i);
        const mod = Buffer.from(bytes.subarray(i, end)).toString('latin1');
        i = end + 1;
        end = bytes.indexOf(10, i);
        const name = Buffer.from(bytes.subarray(i, end)).toString('latin1');
        i = end + 1;
        stack.push({ pyGlobal: `${mod}.${name}`, args: null } satisfies PyObject);
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = stack.pop();
        const mod = stack.pop();
        stack.push({ pyGlobal: `${String(mod)}.${String(name)}`, args: null } satisfies PyObject);
        break;
      }
      case 0x52: // REDUCE
      case 0x81: {
        // NEWOBJ
        const args = stack.pop();
        const fn = stack.pop() as PyObject;
        stack.push({ pyGlobal: fn?.pyGlobal ?? '?', args } satisfies PyObject);
        break;
      }
      case 0x62: // BUILD: state is dropped
        stack.pop();
        break;
      default:
        throw new Error(`unsupported pickle opcode 0x${op.toString(16)} at byte ${at}`);
    }
  }
}
