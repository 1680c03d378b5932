import type { TensorInfo } from '@tensorflow/tfjs-core';
import { ENABLE_F16_MARKER } from '#main/engine/backend/webgpu';
import { type GpuProgramSpec, runGpuProgram, type WebGpuLike, WG } from './program';

/**
 * Our batched matrix product as one WGSL program: C[b] = act(op(A[b]) op(B[b]) + bias) + residual,
 * op = identity or transpose per operand. Each workgroup of 256 invocations computes a BM x BN
 * output tile, each invocation TM x TN outputs (rows ty + i BM/TM, columns tx + j BN/TN, so
 * neighbouring invocations read neighbouring shared-memory words and write neighbouring outputs),
 * stepping K in slices of 16 staged in workgroup memory, f32 accumulation. An operand whose
 * contiguous dimension is a multiple of 4 is bound and read as vec4 (a vec4 never straddles the
 * edge then), otherwise as scalars; every out-of-range element reads 0. The flat workgroup index
 * is decoded into (batch, tile row, tile column), so tfjs may fold counts above 65,535 into y/z.
 */

/** A tile: BM x BN outputs per workgroup, TM x TN per invocation; (BM/TM) (BN/TN) = 256. */
export interface Tile {
  readonly bm: number;
  readonly bn: number;
  readonly tm: number;
  readonly tn: number;
}

export const TILES = {
  large: { bm: 128, bn: 64, tm: 8, tn: 4 },
  medium: { bm: 64, bn: 64, tm: 4, tn: 4 },
  small: { bm: 32, bn: 32, tm: 2, tn: 2 },
  /** Few rows (decoding: one token per sequence): 16 x 64. */
  rows: { bm: 16, bn: 64, tm: 1, tn: 4 },
} as const satisfies Record<string, Tile>;

/** K slice staged in workgroup memory per step. */
export const BK = 16;

/** The tile for an output of batch x M x N: big tiles only where they still fill a large GPU. */
export function chooseTile(batch: number, m: number, n: number): Tile {
  const count = (t: Tile) => batch * Math.ceil(m / t.bm) * Math.ceil(n / t.bn);
  if (m <= 16) return TILES.rows;
  if (count(TILES.large) >= 264) return TILES.large;
  if (count(TILES.medium) >= 132) return TILES.medium;
  return TILES.small;
}

export type Activation = 'linear' | 'relu' | 'gelu';

export interface MatMulArgs {
  readonly a: TensorInfo;
  readonly b: TensorInfo;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  /** Rows, columns and inner size of one product. */
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Products; an operand with one matrix is shared by all (broadcast batch). */
  readonly batch: number;
  readonly batchA: number;
  readonly batchB: number;
  /** Added per column (N elements) or everywhere (1 element). */
  readonly bias?: TensorInfo;
  readonly activation?: Activation;
  /** Added after the activation, same size as the output. */
  readonly residual?: TensorInfo;
  readonly tile?: Tile;
  readonly outShape: number[];
  /**
   * a and b are f16 copies (half.ts: int32 words, two halves each, element 2i in the low bits):
   * 'packed' unpacks them to f32 with WGSL's core unpack2x16float (no feature needed); 'native'
   * reads them as vec2<f16> and stages f16 in workgroup memory (needs shader-f16). Either way the
   * products accumulate in f32 and the output, bias and residual are f32.
   */
  readonly half?: HalfMode;
}

export type HalfMode = 'packed' | 'native';

/** The erf of torch-exact GELU, as tfjs' own Erf kernels compute it (Abramowitz-Stegun 7.1.26). */
export const ERF_WGSL = `
fn biomedErf(a : f32) -> f32 {
  let t = 1.0 / (1.0 + 0.3275911 * abs(a));
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-a * a);
  return sign(a) * y;
}
fn biomedGelu(x : f32) -> f32 { return x * 0.5 * (1.0 + biomedErf(x * ${Math.SQRT1_2})); }`;

/**
 * WGSL statements that set the scalar `v` to the operand's element (o = `go`, k = `gk`), both in
 * range: an operand that is not a plain matrix (implicit GEMM: a convolution's input gathered).
 */
export type Gather = (go: string, gk: string) => string;

/**
 * WGSL that stages one operand's BK-slice into workgroup memory `sh` laid out [k][o].
 * contigK: the operand is stored [o][k] (K contiguous), else [k][o]; with `gather` it says only
 * which way neighbouring lanes walk (along k or along o). `o` runs over `extent` rows of the tile
 * from `<name>O0`, of `odim` in all, k up to `kEnd`; `vec` reads 4 contiguous elements at once.
 */
export function stage(
  name: string,
  sh: string,
  contigK: boolean,
  extent: number,
  odim: string,
  base: string,
  vec: boolean,
  gather?: Gather,
  kEnd = 'uniforms.k',
): string {
  const w = vec ? 4 : 1;
  const slots = (BK * extent) / w;
  const perRow = (contigK ? BK : extent) / w;
  const read = (idx: string) => (vec ? `${name}[(${idx}) / 4]` : `${name}[${idx}]`);
  const store = (k: string, o: string, v: string) =>
    vec
      ? [0, 1, 2, 3]
          .map((c) =>
            contigK
              ? `${sh}[(${k} + ${c}) * ${extent} + ${o}] = ${v}[${c}];`
              : `${sh}[${k} * ${extent} + ${o} + ${c}] = ${v}[${c}];`,
          )
          .join(' ')
      : `${sh}[${k} * ${extent} + ${o}] = ${v};`;
  const zero = vec ? 'vec4<f32>(0.0)' : '0.0';
  const [kExpr, oExpr] = contigK
    ? [`(e % ${perRow}) * ${w}`, `e / ${perRow}`]
    : [`e / ${perRow}`, `(e % ${perRow}) * ${w}`];
  const idx = contigK ? `${base} + go * uniforms.k + gk` : `${base} + gk * ${odim} + go`;
  return `
    for (var e = lane; e < ${slots}; e += ${WG}) {
      let kk = ${kExpr};
      let oo = ${oExpr};
      let gk = k0 + kk;
      let go = ${name}O0 + oo;
      var v = ${zero};
      if (gk < ${kEnd} && go < ${odim}) { ${gather ? gather('go', 'gk') : `v = ${read(idx)};`} }
      ${store('kk', 'oo', 'v')}
    }`;
}

/**
 * As {@link stage} for an operand of f16 copies: `vec` reads 8 halves (one vec4<i32>) at once,
 * otherwise one element from its word (idx / 2, half idx % 2). Staged as f32 ('packed') or f16.
 */
function stageHalf(
  name: string,
  sh: string,
  contigK: boolean,
  extent: number,
  odim: string,
  base: string,
  vec: boolean,
  mode: HalfMode,
): string {
  const w = vec ? 8 : 1;
  const slots = (BK * extent) / w;
  const perRow = (contigK ? BK : extent) / w;
  const elt = mode === 'native' ? 'f16' : 'f32';
  const pair = (word: string) =>
    mode === 'native' ? `bitcast<vec2<f16>>(${word})` : `unpack2x16float(bitcast<u32>(${word}))`;
  const [kExpr, oExpr] = contigK
    ? [`(e % ${perRow}) * ${w}`, `e / ${perRow}`]
    : [`e / ${perRow}`, `(e % ${perRow}) * ${w}`];
  const idx = contigK ? `${base} + go * uniforms.k + gk` : `${base} + gk * ${odim} + go`;
  const at = (c: number) =>
    contigK ? `${sh}[(kk + ${c}) * ${extent} + oo]` : `${sh}[kk * ${extent} + oo + ${c}]`;
  const load = vec
    ? `var q = vec4<i32>(0);
      if (gk < uniforms.k && go < ${odim}) { q = ${name}[(${idx}) / 8]; }
      ${[0, 1, 2, 3].map((j) => `let h${j} = ${pair(`q[${j}]`)};`).join(' ')}
      ${Array.from({ length: 8 }, (_, c) => `${at(c)} = h${c >> 1}[${c & 1}];`).join(' ')}`
    : `var v : ${elt} = 0.0;
      if (gk < uniforms.k && go < ${odim}) { let gi = ${idx}; v = ${pair(`${name}[gi >> 1u]`)}[gi & 1]; }
      ${at(0)} = v;`;
  return `
    for (var e = lane; e < ${slots}; e += ${WG}) {
      let kk = ${kExpr};
      let oo = ${oExpr};
      let gk = k0 + kk;
      let go = ${name}O0 + oo;
      ${load}
    }`;
}

/**
 * WGSL: the workgroup's tile from the flat workgroup index: `lane`, `valid` (false for the
 * padding workgroups tfjs' fold adds), `bt` (batch, or split for a split K), `m0`, `n0`.
 * Uniforms batch, tilesM, tilesN.
 */
export function tileOrigin(tile: Tile): string {
  return `
      let lane = i32(localIndex);
      let g = index / ${WG};
      let perBatch = uniforms.tilesM * uniforms.tilesN;
      let bRaw = g / perBatch;
      let valid = bRaw < uniforms.batch;
      let bt = min(bRaw, uniforms.batch - 1);
      let r = g - bRaw * perBatch;
      let tmi = r / uniforms.tilesN;
      let m0 = tmi * ${tile.bm};
      let n0 = (r - tmi * uniforms.tilesN) * ${tile.bn};
      let AO0 = m0;
      let BO0 = n0;`;
}

/**
 * WGSL: the tile's accumulation over k from `kFrom`, `kLen` long, in BK slices (k0 = the slice's
 * first k): `stageA` / `stageB` (from `stage`) fill As [k][m] and Bs [k][n], then each invocation
 * accumulates its TM x TN outputs in `acc` (f32 fma; f16 staging, `half` 'native', converted).
 * Declares tx, ty, acc. All lanes run it (barriers inside), so `kLen` must be uniform (a uniform
 * field); `kFrom` may vary by workgroup.
 */
export function tileProducts(
  tile: Tile,
  stageA: string,
  stageB: string,
  kFrom = '0',
  kLen = 'uniforms.k',
  half?: HalfMode,
): string {
  const { bm, bn, tm, tn } = tile;
  const cols = bn / tn; // invocations across the tile's columns
  const rowStep = bm / tm;
  const f32Of = (v: string) => (half === 'native' ? `f32(${v})` : v);
  const accs: string[] = [];
  for (let i = 0; i < tm; i++)
    for (let j = 0; j < tn; j++)
      accs.push(`acc[${i * tn + j}] = fma(ra[${i}], rb[${j}], acc[${i * tn + j}]);`);
  const loadsA = Array.from(
    { length: tm },
    (_, i) => `ra[${i}] = ${f32Of(`As[kk * ${bm} + ty + ${i * rowStep}]`)};`,
  ).join(' ');
  const loadsB = Array.from(
    { length: tn },
    (_, j) => `rb[${j}] = ${f32Of(`Bs[kk * ${bn} + tx + ${j * cols}]`)};`,
  ).join(' ');
  return `
      let tx = lane % ${cols};
      let ty = lane / ${cols};
      var acc : array<f32, ${tm * tn}>;
      var ra : array<f32, ${tm}>;
      var rb : array<f32, ${tn}>;
      for (var ks = 0; ks < ${kLen}; ks += ${BK}) {
        let k0 = ${kFrom} + ks;
        ${stageA}
        ${stageB}
        workgroupBarrier();
        for (var kk = 0; kk < ${BK}; kk++) {
          ${loadsA}
          ${loadsB}
          ${accs.join('\n          ')}
        }
        workgroupBarrier();
      }`;
}

/** WGSL workgroup memory of a tile's two staged slices (f16 for `half` 'native'). */
export function tileShared(tile: Tile, half?: HalfMode): string {
  const sh = half === 'native' ? 'f16' : 'f32';
  return `${half === 'native' ? ENABLE_F16_MARKER : ''}
      var<workgroup> As : array<${sh}, ${BK * tile.bm}>;
      var<workgroup> Bs : array<${sh}, ${BK * tile.bn}>;`;
}

/**
 * WGSL: `write` (statements using `row`, `col` and the accumulated `v`) for each of the
 * invocation's outputs inside rows < `m` and columns < `n`.
 */
export function tileOutputs(tile: Tile, m: string, n: string, write: string): string {
  const { bm, bn, tm, tn } = tile;
  const cols = bn / tn;
  return `
      for (var i = 0; i < ${tm}; i++) {
        let row = m0 + ty + i * ${bm / tm};
        if (row >= ${m}) { break; }
        for (var j = 0; j < ${tn}; j++) {
          let col = n0 + tx + j * ${cols};
          if (col < ${n}) {
            var v = acc[i * ${tn} + j];
            ${write}
          }
        }
      }`;
}

/** The program spec for these operand layouts, tile and epilogue. */
export function matMulSpec(args: MatMulArgs, tile: Tile, vecA: boolean, vecB: boolean): GpuProgramSpec {
  const { bm, bn } = tile;
  const act = args.activation ?? 'linear';
  const bias = args.bias !== undefined;
  const res = args.residual !== undefined;
  const inputs = ['A', 'B', ...(bias ? ['bias'] : []), ...(res ? ['res'] : [])];
  const half = args.half;
  const staged = (
    name: string,
    sh: string,
    contigK: boolean,
    extent: number,
    odim: string,
    base: string,
    vec: boolean,
  ) =>
    half
      ? stageHalf(name, sh, contigK, extent, odim, base, vec, half)
      : stage(name, sh, contigK, extent, odim, base, vec);
  const actExpr = act === 'relu' ? 'max(v, 0.0)' : act === 'gelu' ? 'biomedGelu(v)' : 'v';
  const key = `mm${half ? `_h${half}` : ''}_${bm}x${bn}_${args.transposeA ? 't' : 'n'}${args.transposeB ? 't' : 'n'}_${vecA ? 4 : 1}${vecB ? 4 : 1}_${act}_${bias}_${res}`;
  return {
    key,
    inputs,
    components: [vecA ? 4 : 1, vecB ? 4 : 1, ...(bias ? [1 as const] : []), ...(res ? [1 as const] : [])],
    outSize: args.batch * args.m * args.n,
    workgroups: args.batch * Math.ceil(args.m / bm) * Math.ceil(args.n / bn),
    workgroup: WG,
    uniforms: {
      m: 'i32',
      n: 'i32',
      k: 'i32',
      batch: 'i32',
      strideA: 'i32',
      strideB: 'i32',
      tilesN: 'i32',
      tilesM: 'i32',
      biasN: 'i32',
    },
    prelude: `${tileShared(tile, half)}
      ${act === 'gelu' ? ERF_WGSL : ''}`,
    body: `${tileOrigin(tile)}
      let aBase = bt * uniforms.strideA;
      let bBase = bt * uniforms.strideB;
      ${tileProducts(
        tile,
        staged('A', 'As', !args.transposeA, bm, 'uniforms.m', 'aBase', vecA),
        staged('B', 'Bs', args.transposeB, bn, 'uniforms.n', 'bBase', vecB),
        '0',
        'uniforms.k',
        half,
      )}
      if (!valid) { return; }
      let cBase = bt * uniforms.m * uniforms.n;
      ${tileOutputs(
        tile,
        'uniforms.m',
        'uniforms.n',
        `let o = cBase + row * uniforms.n + col;
            ${bias ? 'v = v + bias[select(0, col, uniforms.biasN > 1)];' : ''}
            v = ${actExpr};
            ${res ? 'v = v + res[o];' : ''}
            result[o] = v;`,
      )}`,
  };
}

/** Runs the product; returns the output (float32, `outShape`). */
export function runMatMul(backend: WebGpuLike, args: MatMulArgs): TensorInfo {
  const tile = args.tile ?? chooseTile(args.batch, args.m, args.n);
  const lanes = args.half ? 8 : 4; // elements per vector load: vec4<f32>, or 8 halves in a vec4<i32>
  const vecA = (args.transposeA ? args.m : args.k) % lanes === 0;
  const vecB = (args.transposeB ? args.k : args.n) % lanes === 0;
  const spec = matMulSpec(args, tile, vecA, vecB);
  const inputs = [
    args.a,
    args.b,
    ...(args.bias ? [args.bias] : []),
    ...(args.residual ? [args.residual] : []),
  ];
  const tilesM = Math.ceil(args.m / tile.bm);
  const tilesN = Math.ceil(args.n / tile.bn);
  const biasN = args.bias ? args.bias.shape.reduce((x, s) => x * s, 1) : 0;
  return runGpuProgram(
    backend,
    spec,
    inputs,
    [
      args.m,
      args.n,
      args.k,
      args.batch,
      args.batchA === 1 ? 0 : args.m * args.k,
      args.batchB === 1 ? 0 : args.k * args.n,
      tilesN,
      tilesM,
      biasN,
    ],
    args.outShape,
  );
}
