import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeightsFormatError } from './file-reader';
import { importWeightsFile } from './import';
import { asDict, PyObject, PyTuple, type PyValue, type TensorRef } from './pickle-values';
import { openWeightsFile } from './sources';
import { toFloat32 } from './tensor-data';
import { CUSTOM_TEST_CONFIG, python, requireTorch, writeCheckpoints, writeDict } from './test-fixtures';
import { UnsafePickleError, unpickle } from './unpickle';

let dir: string;
let dtypeValues: Record<string, number[]>;
const file = (n: string) => path.join(dir, n);
const MARKER = () => file('PWNED');

beforeAll(() => {
  requireTorch();
  dir = mkdtempSync(path.join(tmpdir(), 'bw-pickle-'));
  writeCheckpoints(dir, [
    {
      config: CUSTOM_TEST_CONFIG,
      files: [{ path: file('pytorch_model.bin'), layout: 'hf-bin', dtype: 'fp32' }],
    },
  ]);
  writeDict(file('dict.txt'), 20);
  // Pickles whose globals would create MARKER if a loader executed them (torch.load would).
  python(`
import os, pickle, builtins, posix, torch, collections, argparse
m = ${JSON.stringify(MARKER())}
class Shell:
    def __reduce__(self): return (os.system, ("touch " + m,))
class Open:
    def __reduce__(self): return (builtins.open, (m, "w"))
class Exec:
    def __reduce__(self): return (builtins.exec, ("open(%r, 'w')" % m,))
sd = collections.OrderedDict(w=torch.zeros(2))
torch.save({"model": sd, "args": Shell()}, ${JSON.stringify(file('system.pt'))})
torch.save(collections.OrderedDict(w=torch.zeros(2), evil=Open()), ${JSON.stringify(file('open.bin'))})
torch.save({"model": sd, "extra_state": {"x": Exec()}}, ${JSON.stringify(file('exec.pt'))})
value = {"d": {"a": 1, 2: [1.5, -2, None, True, False]}, "t": (1, "x", b"\\x00\\xff"), "s": {3, 4}, "f": frozenset([5]),
         "big": 2**70, "neg": -(2**40), "o": collections.OrderedDict(k="v"), "ns": argparse.Namespace(arch="ofa_tiny", lr=[5e-5]),
         "u": "unicode \\u00e9\\u4e2d", "shared": None}
shared = [1, 2]
value["shared"] = (shared, shared)
for p in (2, 3, 4, 5):
    open(${JSON.stringify(dir)} + "/value-%d.pkl" % p, "wb").write(pickle.dumps(value, protocol=p))
`);
  // element types, as PyTorch stores and converts them; a small safetensors file to truncate
  dtypeValues = JSON.parse(
    python(`import torch, collections, json
g = torch.Generator().manual_seed(4)
x = torch.randn(6, 5, generator=g) * 3
sd = collections.OrderedDict(f32=x, f16=x.half(), bf16=x.bfloat16(), i64=torch.arange(-3, 9), view=x[2:4])
torch.save(sd, ${JSON.stringify(file('dtypes.bin'))})
print(json.dumps({k: v.float().flatten().tolist() for k, v in sd.items()}))
import sys
sys.path.insert(0, ${JSON.stringify(path.resolve(import.meta.dirname, '../../../bench/reference'))})
from make_weights import save_safetensors
save_safetensors(${JSON.stringify(file('w.safetensors'))}, {"encoder.embed_tokens.weight": torch.ones(100, 4)}, {})`),
  );
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function plainOf(v: PyValue | unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plainOf(x)]));
  if (Array.isArray(v)) return v.map(plainOf);
  if (v instanceof PyTuple) return { tuple: v.items.map(plainOf) };
  if (v instanceof Set) return { set: [...v].map(plainOf).sort() };
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (v instanceof PyObject) return { cls: v.cls, state: plainOf(asDict(v)) };
  if (typeof v === 'bigint') return v.toString();
  return v;
}

describe('safe unpickler', () => {
  it.each([2, 3, 4, 5])(
    'reads protocol %i containers, numbers, strings, bytes and a Namespace as data',
    (p) => {
      const v = unpickle(readFileSync(file(`value-${p}.pkl`)));
      expect(plainOf(v)).toEqual({
        d: { a: 1, '2': [1.5, -2, null, true, false] },
        t: { tuple: [1, 'x', { bytes: [0, 255] }] },
        s: { set: [3, 4] },
        f: { set: [5] },
        big: (2n ** 70n).toString(),
        neg: -(2 ** 40),
        o: { k: 'v' },
        ns: { cls: 'argparse.Namespace', state: { arch: 'ofa_tiny', lr: [5e-5] } },
        u: 'unicode \u00e9\u4e2d',
        shared: {
          tuple: [
            [1, 2],
            [1, 2],
          ],
        },
      });
    },
  );

  it.each([
    ['system.pt', /refused global posix\.system/],
    ['open.bin', /refused global io\.open/],
    ['exec.pt', /refused global __builtin__\.exec/],
  ])('refuses %s by the name of its global, and nothing runs', async (name, message) => {
    await expect(importWeightsFile({ path: file(name), destDir: file('out') })).rejects.toThrow(message);
    await expect(importWeightsFile({ path: file(name), destDir: file('out') })).rejects.toBeInstanceOf(
      UnsafePickleError,
    );
    expect(existsSync(MARKER())).toBe(false);
    expect(existsSync(file('out'))).toBe(false);
  });

  it('refuses opcodes that reach code indirectly', () => {
    expect(() => unpickle(Uint8Array.from([0x80, 2, 0x82, 1, 0x2e]))).toThrow(/EXT1\/2\/4/);
    // GLOBAL 'os\nsystem\n' in protocol 0 text form
    expect(() => unpickle(Buffer.from('cos\nsystem\n(S"touch x"\ntR.', 'latin1'))).toThrow(
      /refused global os\.system/,
    );
  });
});

describe('element types', () => {
  it('reads fp32, fp16, bf16 and int64 storages (and a view at an offset) as PyTorch wrote them', () => {
    const expected = dtypeValues;
    const opened = openWeightsFile(file('dtypes.bin'));
    try {
      const root = opened.root as Map<string, TensorRef>;
      for (const [key, want] of Object.entries(expected)) {
        const t = opened.tensor(root.get(key) as TensorRef);
        const got =
          t.dtype === 'I64'
            ? Array.from(new BigInt64Array(new Uint8Array(t.read()).buffer), Number)
            : Array.from(toFloat32(t.dtype, t.read()));
        expect([key, got]).toEqual([key, want]);
      }
    } finally {
      opened.close();
    }
  });
});

describe('damaged files', () => {
  it('names truncation of a torch zip and of a safetensors file', async () => {
    const bin = readFileSync(file('pytorch_model.bin'));
    writeFileSync(file('cut.bin'), bin.subarray(0, Math.floor(bin.length * 0.6)));
    await expect(importWeightsFile({ path: file('cut.bin'), destDir: file('out') })).rejects.toThrow(
      /truncated/,
    );
    truncateSync(file('w.safetensors'), 1000);
    expect(() => openWeightsFile(file('w.safetensors'))).toThrow(
      /encoder\.embed_tokens\.weight ends beyond the end of the file: the file is truncated/,
    );
    writeFileSync(file('junk.pt'), 'not a checkpoint at all');
    expect(() => openWeightsFile(file('junk.pt'))).toThrow(WeightsFormatError);
    expect(existsSync(file('out'))).toBe(false);
  });

  it('reports a vocabulary that does not match the embedding, naming the key', async () => {
    writeDict(file('dict19.txt'), 19);
    const r = await importWeightsFile({
      path: file('pytorch_model.bin'),
      dictPath: file('dict19.txt'),
      destDir: file('out'),
    });
    expect(r.ok).toBe(false);
    expect(r.report.problems).toEqual([
      expect.stringMatching(
        /^encoder\.embed_tokens\.weight has 9217 rows, but the vocabulary .*dict19\.txt gives 9216 ids \(4 specials \+ 19 dict\.txt lines/,
      ),
    ]);
    expect(existsSync(file('out'))).toBe(false);
    const none = await importWeightsFile({ path: file('pytorch_model.bin'), dictPath: file('nope.txt') });
    expect(none.report.problems).toEqual([expect.stringMatching(/nope\.txt does not exist/)]);
  });
});
