import * as tf from '@tensorflow/tfjs-core';
import { adapterLine, listBackends } from '#main/engine/backend/index';
import type { BackendStatus } from '#shared/api/app';

let cached: Promise<BackendStatus[]> | undefined;
let measured: { backend: string; gflops: number } | undefined;

/**
 * GFLOP/s of fp32 matmuls ([512 x 768] x [768 x 768], the shape of a Base projection at a small
 * batch) on the active backend, timed with an asynchronous read after 4 products (one warm-up).
 */
async function measureMatmul(): Promise<number> {
  const a = tf.randomNormal([512, 768]);
  const b = tf.randomNormal([768, 768]);
  try {
    const run = async (n: number) => {
      const outs = Array.from({ length: n }, () => tf.matMul(a, b));
      await outs[n - 1]!.data();
      tf.dispose(outs);
    };
    await run(1);
    const t0 = performance.now();
    await run(4);
    const seconds = (performance.now() - t0) / 1000;
    return (4 * 2 * 512 * 768 * 768) / seconds / 1e9;
  } finally {
    tf.dispose([a, b]);
  }
}

/** The throughput measured on `backend` by describeBackends, if it is the one in use. */
export function measuredGflops(backend: string): number | undefined {
  return measured?.backend === backend ? measured.gflops : undefined;
}

/** The compute backends the engine can use here, probed once per process. */
export function describeBackends(): Promise<BackendStatus[]> {
  cached ??= listBackends().then(
    async (info) => {
      const gflops = await measureMatmul().catch(() => undefined);
      if (gflops) measured = { backend: info.name, gflops };
      return info.available.map((probe) => ({
        name: probe.name,
        available: probe.ok,
        chosen: probe.name === info.name,
        detail:
          (probe.ok
            ? probe.name === info.name
              ? `in use (${info.device}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`
              : 'available'
            : (probe.reason ?? 'not available')) +
          (probe.adapter ? `; adapter ${adapterLine(probe.adapter)}` : ''),
        ...(probe.adapter ? { adapter: probe.adapter } : {}),
        ...(gflops && probe.name === info.name ? { measuredGflops: gflops } : {}),
      }));
    },
    (err: unknown) => [{ name: 'none', available: false, chosen: false, detail: String(err) }],
  );
  return cached;
}
