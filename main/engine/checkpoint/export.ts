import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import { imageBucket, imagePositionIds, tokenBucket } from '#main/engine/model/positions';
import { SPECIALS, type VocabJson } from '#main/engine/tokenizer/vocab';
import type { ModelConfig } from '#shared/model/config';
import { hfOfaConfig } from '#shared/model/hf-config';
import { numel, SHARED_EMBEDDING, weightShapes } from '#shared/model/weight-shapes';
import { readMeta } from './checkpoint';
import { CheckpointFormatError, type SafeDtype } from './safetensors';

/** Files an export folder holds. */
export const EXPORT_FILES = {
  weights: 'model.safetensors',
  config: 'config.json',
  vocab: 'vocab.json',
  dict: 'dict.txt',
} as const;

/** What {@link exportCheckpoint} wrote. */
export interface ExportResult {
  readonly dir: string;
  readonly files: readonly { readonly name: string; readonly bytes: number }[];
  /** Tensors in model.safetensors (the whole fairseq state dict, aliases and buffers included). */
  readonly tensors: number;
  readonly step: number;
  readonly config: ModelConfig;
}

interface SourceEntry {
  readonly dtype: SafeDtype;
  readonly shape: readonly number[];
  readonly start: number;
  readonly end: number;
}

/** One tensor of the export: bytes copied from the checkpoint, or computed (deterministic buffers). */
interface Planned {
  readonly name: string;
  readonly dtype: 'F32' | 'I64';
  readonly shape: readonly number[];
  readonly bytes: number;
  readonly from: { readonly start: number; readonly end: number } | (() => Uint8Array);
}

const BYTES = { F32: 4, I64: 8 } as const;

async function readExactly(fh: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done);
    if (bytesRead === 0) throw new CheckpointFormatError(`checkpoint ends early at byte ${position + done}`);
    done += bytesRead;
  }
  return buf;
}

/** Header of a safetensors file without reading its data (bounded memory for any model size). */
async function readHeader(fh: FileHandle): Promise<{
  dataStart: number;
  metadata: Record<string, string>;
  entries: Map<string, SourceEntry>;
}> {
  const size = (await fh.stat()).size;
  if (size < 8) throw new CheckpointFormatError(`checkpoint of ${size} bytes has no header`);
  const n = Number((await readExactly(fh, 8, 0)).readBigUInt64LE(0));
  if (n > 100 * 1024 * 1024 || 8 + n > size)
    throw new CheckpointFormatError(`header length ${n} exceeds the checkpoint (${size} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse((await readExactly(fh, n, 8)).toString('utf8'));
  } catch (err) {
    throw new CheckpointFormatError(`checkpoint header is not JSON: ${(err as Error).message}`);
  }
  const entries = new Map<string, SourceEntry>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as { dtype: SafeDtype; shape: number[]; data_offsets: [number, number] };
    const [start, end] = e.data_offsets;
    if (8 + n + end > size)
      throw new CheckpointFormatError(`tensor '${name}' lies beyond the end: truncated`);
    entries.set(name, { dtype: e.dtype, shape: e.shape, start, end });
  }
  return { dataStart: 8 + n, metadata: (header['__metadata__'] ?? {}) as Record<string, string>, entries };
}

/** Non-negative integers as little-endian int64 bytes. */
function int64Bytes(count: number, value: (i: number) => number): Uint8Array {
  const words = new Int32Array(count * 2); // [low, high = 0] pairs
  for (let i = 0; i < count; i++) words[2 * i] = value(i);
  return new Uint8Array(words.buffer);
}

/** fairseq's deterministic buffers (spec/ofa-state-dict.md §2a, §2d), computed once per export. */
function buffers(config: ModelConfig) {
  const t = config.maxRelPosition; // token_rp_bucket is [1024, 1024] whatever max_source_positions is
  const ib = config.imageBucket;
  const p = ib * ib + 1;
  let tok: Uint8Array | undefined;
  let img: Uint8Array | undefined;
  const version = () => new Uint8Array(Float32Array.of(3).buffer);
  // [0, 16 x 16 grid of code-image positions (code_image_size / 8 = 16), 1024 x 769]: length 1026
  const grid = imagePositionIds(16, 16, ib);
  const positionIdx = [0, ...grid, ...new Array<number>(769).fill(1024)];
  return {
    version: { shape: [1], dtype: 'F32' as const, from: version },
    token: {
      shape: [t, t],
      dtype: 'I64' as const,
      from: () => {
        tok ??= int64Bytes(t * t, (k) => tokenBucket(Math.floor(k / t) - (k % t), config.tokenBucket, t));
        return tok;
      },
    },
    image: {
      shape: [p, p],
      dtype: 'I64' as const,
      from: () => {
        img ??= int64Bytes(p * p, (k) => imageBucket(Math.floor(k / p), k % p, ib));
        return img;
      },
    },
    positionIdx: {
      shape: [positionIdx.length],
      dtype: 'I64' as const,
      from: () => int64Bytes(positionIdx.length, (i) => positionIdx[i] ?? 0),
    },
  };
}

/**
 * The whole fairseq `ckpt['model']` state dict in state-dict order: every weight, the two aliases
 * of the shared embedding as copies (safetensors cannot share storage, as the PanaceaAI bins do
 * not), and the buffers fairseq registers, so `load_state_dict(strict=True)` finds every key.
 */
function plan(config: ModelConfig, source: Map<string, SourceEntry>): Planned[] {
  const buf = buffers(config);
  const out: Planned[] = [];
  const computed = (name: string, b: { shape: number[]; dtype: 'F32' | 'I64'; from: () => Uint8Array }) =>
    out.push({ name, ...b, bytes: numel(b.shape) * BYTES[b.dtype] });
  for (const spec of weightShapes(config)) {
    if (spec.name === SHARED_EMBEDDING) {
      // module's own buffers come before its children's tensors (spec §2: state_dict order)
      computed('encoder.version', buf.version);
      computed('encoder.token_rp_bucket', buf.token);
      computed('encoder.image_rp_bucket', buf.image);
    }
    if (spec.name === 'decoder.embed_tokens.weight') {
      computed('decoder.version', buf.version);
      computed('decoder.token_rp_bucket', buf.token);
      computed('decoder.image_rp_bucket', buf.image);
      computed('decoder.image_position_idx', buf.positionIdx);
    }
    const stored = source.get(spec.tiedTo ?? spec.name);
    if (!stored) throw new CheckpointFormatError(`checkpoint lacks ${spec.tiedTo ?? spec.name}`);
    const dtype = spec.dtype === 'int64' ? 'I64' : 'F32';
    if (stored.dtype !== dtype || stored.shape.join(',') !== spec.shape.join(','))
      throw new CheckpointFormatError(
        `${spec.name} is ${stored.dtype} [${stored.shape}], the model needs ${dtype} [${spec.shape}]`,
      );
    out.push({ name: spec.name, dtype, shape: spec.shape, bytes: stored.end - stored.start, from: stored });
  }
  return out;
}

function headerBytes(tensors: readonly Planned[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes] };
    offset += t.bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + head.byteLength);
  out.writeBigUInt64LE(BigInt(head.byteLength), 0);
  head.copy(out, 8);
  return out;
}

/** fairseq `dict.txt` lines (`symbol count`) for a vocabulary in the published id order. */
function dictText(vocab: VocabJson): string | null {
  if (vocab.kind !== 'fairseq') return null;
  const body = vocab.symbols.slice(SPECIALS.length).filter((s) => !/^<(mask|code_\d+|bin_\d+)>$/.test(s));
  return `${body.map((s) => `${s} 1`).join('\n')}\n`;
}

async function writeWhole(file: string, text: string): Promise<number> {
  const fh = await open(file, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return Buffer.byteLength(text);
}

/**
 * Exports a workbench checkpoint folder as fairseq-named safetensors plus a Hugging Face OFA
 * `config.json` (docs/export.md). Streams tensor by tensor, so memory stays bounded by the largest
 * tensor, whatever the model's size. Writes into a temporary folder renamed to `outDir` at the
 * end: an interrupted export leaves nothing that looks finished. Refuses an `outDir` that exists
 * and is not empty, unless `replace` (then the old folder goes only once the new one is complete).
 */
export async function exportCheckpoint(
  checkpointDir: string,
  outDir: string,
  run: { readonly id: string; readonly name: string } | null,
  options: { readonly replace?: boolean } = {},
): Promise<ExportResult> {
  if (existsSync(outDir) && !options.replace) {
    if (readdirSync(outDir).length > 0)
      throw new CheckpointFormatError(`${outDir} already exists and is not empty: choose a new folder`);
    rmdirSync(outDir);
  }
  const src = await open(path.join(checkpointDir, EXPORT_FILES.weights), 'r');
  const tmp = `${outDir}.partial-${process.pid}`;
  try {
    const { dataStart, metadata, entries } = await readHeader(src);
    const meta = readMeta({ metadata, tensors: new Map() });
    const tensors = plan(meta.config, entries);
    mkdirSync(path.dirname(outDir), { recursive: true });
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp);
    const outMeta = {
      format: 'pt',
      'biomed.kind': 'export',
      naming: 'fairseq',
      config: JSON.stringify(meta.config),
      vocab: JSON.stringify(meta.vocab),
      step: String(meta.step),
      ...(run ? { run: JSON.stringify(run) } : {}),
    };
    const head = headerBytes(tensors, outMeta);
    const dst = await open(path.join(tmp, EXPORT_FILES.weights), 'w');
    let weightBytes = head.byteLength;
    try {
      await dst.write(head, 0, head.byteLength, 0);
      for (const t of tensors) {
        const bytes =
          typeof t.from === 'function'
            ? t.from()
            : await readExactly(src, t.from.end - t.from.start, dataStart + t.from.start);
        await dst.write(bytes, 0, bytes.byteLength, weightBytes);
        weightBytes += bytes.byteLength;
      }
      await dst.sync();
    } finally {
      await dst.close();
    }
    const hf = hfOfaConfig(meta.config, {
      config: meta.config,
      imageSize: meta.config.imageSize,
      vocabulary: meta.vocab.kind,
      step: meta.step,
      run,
    });
    const files: { name: string; bytes: number }[] = [{ name: EXPORT_FILES.weights, bytes: weightBytes }];
    const write = async (name: string, text: string) =>
      files.push({ name, bytes: await writeWhole(path.join(tmp, name), text) });
    await write(EXPORT_FILES.config, `${JSON.stringify(hf, null, 2)}\n`);
    await write(EXPORT_FILES.vocab, `${JSON.stringify(meta.vocab)}\n`);
    const dict = dictText(meta.vocab);
    if (dict) await write(EXPORT_FILES.dict, dict);
    if (options.replace) rmSync(outDir, { recursive: true, force: true });
    renameSync(tmp, outDir);
    return { dir: outDir, files, tensors: tensors.length, step: meta.step, config: meta.config };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    await src.close();
  }
}
