import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { wasmThreadCount } from './loaders';
import { threadsUnsupportedReason, WASM_MAX_THREADS, WASM_THREADS_TFJS_VERSION } from './wasm-threads';

function runChild(threads: number): { threads: number; outputs: Record<string, string> } {
  const child = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'wasm-threads-child.ts')],
    {
      encoding: 'utf8',
      // XNNPACK's products: the engine's own GEMM keeps tfjs' single-threaded build
      env: {
        ...process.env,
        BIOMED_BACKEND: 'wasm',
        BIOMED_WASM_GEMM: 'xnnpack',
        BIOMED_WASM_THREADS: String(threads),
      },
    },
  );
  const line = child.stdout.split('\n').find((l) => l.startsWith('{'));
  if (child.status !== 0 || !line)
    throw new Error(`child failed (${child.status}): ${child.stderr.slice(-2000)}`);
  return JSON.parse(line) as { threads: number; outputs: Record<string, string> };
}

const floats = (b64: string) => new Float32Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer);

describe('multithreaded WebAssembly under Node', () => {
  it('runs the threaded build with 2 threads and matches the single-threaded kernels', () => {
    const one = runChild(1);
    const two = runChild(2);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(Object.keys(two.outputs)).toEqual(Object.keys(one.outputs));
    for (const [name, b64] of Object.entries(one.outputs)) {
      const a = floats(b64);
      const b = floats(two.outputs[name]!);
      expect(b.length, name).toBe(a.length);
      let worst = 0;
      for (let i = 0; i < a.length; i++)
        worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(a[i]!)));
      expect(worst, name).toBeLessThan(1e-5);
    }
  });

  it('reads the thread count from BIOMED_WASM_THREADS and rejects bad values', () => {
    const xnn = { BIOMED_WASM_GEMM: 'xnnpack' };
    expect(wasmThreadCount({ ...xnn, BIOMED_WASM_THREADS: '3' })).toBe(3);
    expect(wasmThreadCount({ ...xnn, BIOMED_WASM_THREADS: String(WASM_MAX_THREADS) })).toBe(WASM_MAX_THREADS);
    // the engine's GEMM (default) keeps tfjs single-threaded and takes the threads itself
    expect(wasmThreadCount({ BIOMED_WASM_THREADS: '3' })).toBe(1);
    expect(wasmThreadCount({})).toBe(1);
    expect(wasmThreadCount({ BIOMED_WASM_THREADS: ' ' })).toBe(1);
    for (const bad of ['0', '-2', '1.5', 'many', '99']) {
      expect(() => wasmThreadCount({ BIOMED_WASM_THREADS: bad })).toThrow(
        /BIOMED_WASM_THREADS='.*' is not a whole number/,
      );
    }
  });

  it('refuses a tfjs-backend-wasm version it was not written for', () => {
    expect(threadsUnsupportedReason(WASM_THREADS_TFJS_VERSION)).toBeUndefined();
    expect(threadsUnsupportedReason('4.23.0')).toMatch(
      /written for tfjs-backend-wasm 4\.22\.0, found 4\.23\.0/,
    );
  });
});
