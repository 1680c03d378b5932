import type { TensorInfo } from '@tensorflow/tfjs-core';
import { groupsFor, runGpuProgram, type WebGpuLike, WG } from './program';

/**
 * Column sums of an expression over a [rows, cols] layout, in two passes that keep the GPU busy:
 * blocks of ~sqrt(rows) rows give [blocks, cols] partial sums (one invocation per block and
 * column, reads coalesced along the columns), then one invocation per column adds its blocks.
 * `expr` is WGSL over the inputs with `k` (flat index r * cols + j), `r` and `j`.
 */
export function columnSums(
  backend: WebGpuLike,
  key: string,
  inputs: readonly [string, TensorInfo][],
  expr: string,
  rows: number,
  cols: number,
  scale = 1,
): TensorInfo {
  const rb = Math.max(16, Math.ceil(Math.sqrt(rows)));
  const blocks = Math.ceil(rows / rb);
  const partial = runGpuProgram(
    backend,
    {
      key: `colsum_partial_${key}`,
      inputs: inputs.map(([n]) => n),
      outSize: blocks * cols,
      workgroups: groupsFor(blocks * cols),
      workgroup: WG,
      uniforms: { rows: 'i32', cols: 'i32', rb: 'i32', total: 'i32' },
      body: `
        if (index >= uniforms.total) { return; }
        let b = index / uniforms.cols;
        let j = index - b * uniforms.cols;
        let end = min(uniforms.rows, (b + 1) * uniforms.rb);
        var acc = 0.0;
        for (var r = b * uniforms.rb; r < end; r++) {
          let k = r * uniforms.cols + j;
          acc += ${expr};
        }
        result[index] = acc;`,
    },
    inputs.map(([, t]) => t),
    [rows, cols, rb, blocks * cols],
    [blocks * cols],
  );
  const out = runGpuProgram(
    backend,
    {
      key: 'colsum_final',
      inputs: ['partial'],
      outSize: cols,
      workgroups: groupsFor(cols),
      workgroup: WG,
      uniforms: { blocks: 'i32', cols: 'i32', scale: 'f32' },
      body: `
        if (index >= uniforms.cols) { return; }
        var acc = 0.0;
        for (var b = 0; b < uniforms.blocks; b++) { acc += partial[b * uniforms.cols + index]; }
        result[index] = acc * uniforms.scale;`,
    },
    [partial],
    [blocks, cols, scale],
    [cols],
  );
  backend.disposeData(partial.dataId);
  return out;
}

/**
 * WGSL body prefix for a row reduction (one workgroup per row): defines `row`, `lane`, `ok`
 * (row in range) and `d` (row length). Needs the `ROW_PRELUDE` workgroup buffers.
 */
export const ROW_HEAD = `
  let row = index / ${WG};
  let lane = i32(localId.x);
  let ok = row < uniforms.rows;
  let d = uniforms.d;
  let o = min(row, uniforms.rows - 1) * d;`;

/** Workgroup buffers for up to three simultaneous row sums. */
export const ROW_PRELUDE = `
  var<workgroup> buf : array<f32, ${WG}>;
  var<workgroup> buf2 : array<f32, ${WG}>;
  var<workgroup> buf3 : array<f32, ${WG}>;`;

/** WGSL: tree-sums `name[0..WG)` into `name[0]` (every lane of the workgroup calls it). */
export function treeSum(names: readonly string[], op = '+'): string {
  const lines = names.map(
    (n) =>
      `${n}[lane] = ${op === 'max' ? `max(${n}[lane], ${n}[lane + s])` : `${n}[lane] + ${n}[lane + s]`};`,
  );
  return `
  workgroupBarrier();
  for (var s = ${WG / 2}; s > 0; s = s >> 1u) {
    if (lane < s) { ${lines.join(' ')} }
    workgroupBarrier();
  }`;
}
