import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { ConvGeometry } from '#main/engine/kernels/conv2d';
import {
  BK,
  chooseTile,
  type Gather,
  stage,
  type Tile,
  tileOrigin,
  tileOutputs,
  tileProducts,
  tileShared,
} from './matmul-program';
import { type GpuProgramSpec, groupsFor, runGpuProgram, type WebGpuLike, WG } from './program';

/**
 * 2-D convolutions (NHWC, dilation 1, one group) as implicit GEMM on the matrix-product tiles of
 * matmul-program.ts: the convolution's input is gathered into the staged K slices as they are
 * loaded, so no im2col matrix is written and no thread loops over a whole weight's inputs.
 * - forward: y [B*OH*OW, O] = im2col(x) [.., kH*kW*C] W [kH*kW*C, O];
 * - input gradient: dx [B*H*W, C] = gather(dy) [.., kH*kW*O] W' [kH*kW*O, C], the gather taking
 *   dy at ((h + pad - kh) / s, (w + pad - kw) / s) where that divides (0 elsewhere);
 * - filter gradient: dW [kH*kW*C, O] = im2col(x)^T dy [B*OH*OW, O], K = B*OH*OW long, so it is
 *   split along K into partial sums (one workgroup grid per split) and summed by a second
 *   program when the output has too few tiles to fill a GPU.
 * The filter is tfjs' HWIO [kH, kW, C, O] or PyTorch's OIHW [O, C, kH, kW] (the model's layout:
 * read and written in place, so no transposes around the convolution). A 1x1 stride-1 unpadded
 * convolution reads its operands as plain matrices (vec4 where the channel count allows).
 */

export type FilterLayout = 'hwio' | 'oihw';

const GEOMETRY = [
  'inH',
  'inW',
  'inC',
  'outH',
  'outW',
  'outC',
  'kH',
  'kW',
  'strideH',
  'strideW',
  'padTop',
  'padLeft',
] as const;

/** 1x1, stride 1, no padding: im2col is the identity. */
export const isPointwise = (g: ConvGeometry): boolean =>
  g.kH === 1 && g.kW === 1 && g.strideH === 1 && g.strideW === 1 && g.padTop === 0 && g.padLeft === 0;

/**
 * WGSL: v = A[b, h, w, c], the input element that output position `p` = (b, oh, ow) reads at
 * im2col column `q` = (kh, kw, c); 0 in the padding.
 */
const readInput = (p: string, q: string) => `
        let ow = ${p} % uniforms.outW;
        let pt = ${p} / uniforms.outW;
        let oh = pt % uniforms.outH;
        let b = pt / uniforms.outH;
        let c = ${q} % uniforms.inC;
        let t = ${q} / uniforms.inC;
        let h = oh * uniforms.strideH - uniforms.padTop + t / uniforms.kW;
        let w = ow * uniforms.strideW - uniforms.padLeft + t % uniforms.kW;
        if (h >= 0 && h < uniforms.inH && w >= 0 && w < uniforms.inW) {
          v = A[((b * uniforms.inH + h) * uniforms.inW + w) * uniforms.inC + c];
        }`;

/** WGSL index of filter element (tap t = kh * kW + kw, in channel c, out channel o). */
const filterIndex = (layout: FilterLayout, t: string, c: string, o: string) =>
  layout === 'hwio'
    ? `((${t}) * uniforms.inC + ${c}) * uniforms.outC + ${o}`
    : `(${o} * uniforms.inC + ${c}) * uniforms.kH * uniforms.kW + ${t}`;

export type ConvPass = 'forward' | 'input' | 'filter';

/** GEMM sizes of a pass: rows, columns, inner. */
export function gemmSizes(pass: ConvPass, g: ConvGeometry): { m: number; n: number; k: number } {
  const taps = g.kH * g.kW;
  if (pass === 'forward') return { m: g.batch * g.outH * g.outW, n: g.outC, k: taps * g.inC };
  if (pass === 'input') return { m: g.batch * g.inH * g.inW, n: g.inC, k: taps * g.outC };
  return { m: taps * g.inC, n: g.outC, k: g.batch * g.outH * g.outW };
}

/** The spec for one pass; `splits` > 1 (filter pass only) writes partial sums [splits, m, n]. */
export function convSpec(
  pass: ConvPass,
  layout: FilterLayout,
  g: ConvGeometry,
  tile: Tile,
  splits: number,
): GpuProgramSpec {
  const { m, n } = gemmSizes(pass, g);
  const plain = isPointwise(g);
  const kEnd = 'kTo';
  const st = (name: 'A' | 'B', contigK: boolean, odim: string, vec: boolean, gather?: Gather): string =>
    stage(name, `${name}s`, contigK, name === 'A' ? tile.bm : tile.bn, odim, '0', vec, gather, kEnd);
  let stageA: string;
  let stageB: string;
  let vecA = false;
  let vecB = false;
  if (pass === 'forward') {
    // A = im2col(x) [m = (b, oh, ow), k = (kh, kw, c)]; B = W [k, o]
    vecA = plain && g.inC % 4 === 0;
    stageA = plain
      ? st('A', true, 'uniforms.m', vecA)
      : st('A', true, 'uniforms.m', false, (go, gk) => readInput(go, gk));
    if (layout === 'hwio') {
      vecB = g.outC % 4 === 0;
      stageB = st('B', false, 'uniforms.n', vecB);
    } else if (plain) {
      vecB = g.inC % 4 === 0; // W [o, c]: k contiguous
      stageB = st('B', true, 'uniforms.n', vecB);
    } else {
      stageB = st(
        'B',
        false,
        'uniforms.n',
        false,
        (go, gk) => `v = B[${filterIndex(layout, `${gk} / uniforms.inC`, `${gk} % uniforms.inC`, go)}];`,
      );
    }
  } else if (pass === 'input') {
    // A = gather(dy) [m = (b, h, w), k = (kh, kw, o)]; B = W' [k, c]
    vecA = plain && g.outC % 4 === 0;
    stageA = plain
      ? st('A', true, 'uniforms.m', vecA)
      : st(
          'A',
          true,
          'uniforms.m',
          false,
          (go, gk) => `
        let w = ${go} % uniforms.inW;
        let pt = ${go} / uniforms.inW;
        let h = pt % uniforms.inH;
        let b = pt / uniforms.inH;
        let o = ${gk} % uniforms.outC;
        let t = ${gk} / uniforms.outC;
        let hp = h + uniforms.padTop - t / uniforms.kW;
        let wp = w + uniforms.padLeft - t % uniforms.kW;
        if (hp >= 0 && wp >= 0 && hp % uniforms.strideH == 0 && wp % uniforms.strideW == 0) {
          let oh = hp / uniforms.strideH;
          let ow = wp / uniforms.strideW;
          if (oh < uniforms.outH && ow < uniforms.outW) {
            v = A[((b * uniforms.outH + oh) * uniforms.outW + ow) * uniforms.outC + o];
          }
        }`,
        );
    if (plain && layout === 'hwio') {
      vecB = g.outC % 4 === 0; // W [c, o]: k contiguous
      stageB = st('B', true, 'uniforms.n', vecB);
    } else if (plain) {
      vecB = g.inC % 4 === 0; // W [o, c]: [k][n]
      stageB = st('B', false, 'uniforms.n', vecB);
    } else {
      stageB = st(
        'B',
        true,
        'uniforms.n',
        false,
        (go, gk) => `v = B[${filterIndex(layout, `${gk} / uniforms.outC`, go, `${gk} % uniforms.outC`)}];`,
      );
    }
  } else {
    // A = im2col(x)^T [m = (kh, kw, c), k = (b, oh, ow)]; B = dy [k, o]
    vecA = plain && g.inC % 4 === 0;
    stageA = plain
      ? st('A', false, 'uniforms.m', vecA)
      : st('A', false, 'uniforms.m', false, (go, gk) => readInput(gk, go));
    vecB = g.outC % 4 === 0;
    stageB = st('B', false, 'uniforms.n', vecB);
  }
  // where output (row, col) goes; partial sums of a split K are laid out [split, m, n]
  const out =
    pass !== 'filter' || layout === 'hwio' || splits > 1
      ? 'bt * uniforms.m * uniforms.n + row * uniforms.n + col'
      : filterIndex('oihw', 'row / uniforms.inC', 'row % uniforms.inC', 'col');
  const key = `conv_${pass}_${layout}_${plain ? 'pw' : 'g'}_${tile.bm}x${tile.bn}_${vecA ? 4 : 1}${vecB ? 4 : 1}_${splits > 1}`;
  return {
    key,
    inputs: ['A', 'B'],
    components: [vecA ? 4 : 1, vecB ? 4 : 1],
    outSize: splits * m * n,
    workgroups: splits * Math.ceil(m / tile.bm) * Math.ceil(n / tile.bn),
    workgroup: WG,
    uniforms: {
      m: 'i32',
      n: 'i32',
      k: 'i32',
      batch: 'i32',
      tilesN: 'i32',
      tilesM: 'i32',
      chunk: 'i32',
      ...Object.fromEntries(GEOMETRY.map((f) => [f, 'i32' as const])),
    },
    prelude: tileShared(tile),
    body: `${tileOrigin(tile)}
      let kFrom = bt * uniforms.chunk;
      let kTo = min(uniforms.k, kFrom + uniforms.chunk);
      ${tileProducts(tile, stageA, stageB, 'kFrom', 'uniforms.chunk')}
      if (!valid) { return; }
      ${tileOutputs(tile, 'uniforms.m', 'uniforms.n', `result[${out}] = v;`)}`,
  };
}

/** Sums the partial filter gradients [splits, m, n] into the filter layout. */
function splitSumSpec(layout: FilterLayout, size: number): GpuProgramSpec {
  const rowCol =
    layout === 'hwio'
      ? 'let row = index / uniforms.n; let col = index % uniforms.n;'
      : `let taps = uniforms.kH * uniforms.kW;
      let col = index / (uniforms.inC * taps);
      let rest = index % (uniforms.inC * taps);
      let row = (rest % taps) * uniforms.inC + rest / taps;`;
  return {
    key: `conv_filter_sum_${layout}`,
    inputs: ['P'],
    outSize: size,
    workgroups: groupsFor(size),
    workgroup: WG,
    uniforms: { m: 'i32', n: 'i32', splits: 'i32', inC: 'i32', kH: 'i32', kW: 'i32' },
    body: `
      if (index >= uniforms.m * uniforms.n) { return; }
      ${rowCol}
      var s = 0.0;
      for (var p = 0; p < uniforms.splits; p++) { s = s + P[(p * uniforms.m + row) * uniforms.n + col]; }
      result[index] = s;`,
  };
}

/** Workgroups that fill a large GPU (as chooseTile's thresholds). */
const FILL = 264;
/** The shortest K a split may have. */
const MIN_SPLIT_K = 16 * BK;

/** Splits of the filter pass's K: enough tile grids to fill the GPU, each K slice >= MIN_SPLIT_K. */
export function filterSplits(g: ConvGeometry, tile: Tile): number {
  const { m, n, k } = gemmSizes('filter', g);
  const tiles = Math.ceil(m / tile.bm) * Math.ceil(n / tile.bn);
  return Math.max(1, Math.min(Math.ceil(FILL / tiles), Math.floor(k / MIN_SPLIT_K)));
}

export interface ConvRun {
  readonly pass: ConvPass;
  readonly layout: FilterLayout;
  readonly g: ConvGeometry;
  /** forward: x, W; input: dy, W; filter: x, dy. */
  readonly a: TensorInfo;
  readonly b: TensorInfo;
  readonly outShape: number[];
  /** Tests: force a tile or a split count. */
  readonly tile?: Tile;
  readonly splits?: number;
}

/** Runs one pass: one program, or two for a split filter gradient. */
export function runConv(backend: WebGpuLike, r: ConvRun): TensorInfo {
  const { m, n, k } = gemmSizes(r.pass, r.g);
  const tile = r.tile ?? chooseTile(1, m, n);
  const splits = r.pass === 'filter' ? Math.max(1, r.splits ?? filterSplits(r.g, tile)) : 1;
  const chunk = Math.ceil(k / splits / BK) * BK;
  const used = Math.ceil(k / chunk); // splits with work (all but rounding)
  const spec = convSpec(r.pass, r.layout, r.g, tile, used);
  const values = [
    m,
    n,
    k,
    used,
    Math.ceil(n / tile.bn),
    Math.ceil(m / tile.bm),
    chunk,
    ...GEOMETRY.map((f) => r.g[f]),
  ];
  if (used === 1) return runGpuProgram(backend, spec, [r.a, r.b], values, r.outShape);
  const partial = runGpuProgram(backend, spec, [r.a, r.b], values, [used, m, n]);
  try {
    return runGpuProgram(
      backend,
      splitSumSpec(r.layout, m * n),
      [partial],
      [m, n, used, r.g.inC, r.g.kH, r.g.kW],
      r.outShape,
    );
  } finally {
    backend.disposeData(partial.dataId);
  }
}
