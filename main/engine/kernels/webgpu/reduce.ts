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
 * Lanes per row for a row reduction over `d` elements: a power of two from 16 to WG. Short rows
 * get small workgroups (fewer idle lanes and barrier levels; SwiftShader pays dearly for both).
 */
export function rowLanes(d: number): number {
  let w = 16;
  while (w < d && w < WG) w *= 2;
  return w;
}

/**
 * WGSL body prefix for a row reduction (one workgroup of `lanes` per row): defines `row`, `lane`,
 * `ok` (row in range), `d` (row length) and `o` (row offset). Needs `rowPrelude(lanes)`.
 */
export const rowHead = (lanes: number): string => `
  let row = index / ${lanes};
  let lane = i32(localId.x);
  let ok = row < uniforms.rows;
  let d = uniforms.d;
  let o = min(row, uniforms.rows - 1) * d;`;

/** Workgroup buffers for up to three simultaneous row sums. */
export const rowPrelude = (lanes: number): string => `
  var<workgroup> buf : array<f32, ${lanes}>;
  var<workgroup> buf2 : array<f32, ${lanes}>;
  var<workgroup> buf3 : array<f32, ${lanes}>;`;

/** WGSL: tree-sums (or maxes) `name[0..lanes)` into `name[0]`; every lane of the workgroup calls it. */
export function treeSum(names: readonly string[], lanes: number, op: '+' | 'max' = '+'): string {
  const lines = names.map(
    (n) =>
      `${n}[lane] = ${op === 'max' ? `max(${n}[lane], ${n}[lane + s])` : `${n}[lane] + ${n}[lane + s]`};`,
  );
  return `
  workgroupBarrier();
  for (var s = ${lanes / 2}; s > 0; s = s >> 1u) {
    if (lane < s) { ${lines.join(' ')} }
    workgroupBarrier();
  }`;
}
