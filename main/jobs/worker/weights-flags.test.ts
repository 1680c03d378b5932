// A fairseq checkpoint's own architecture flags: upstream OFA adds the decoder's position rows to
// its token embeddings unless `--disable-entangle` is set. Saved without it, the import applies the
// entangled variant and the engine matches PyTorch's entangled forward; flags the engine does not
// implement are refused by name. The checkpoints are written by PyTorch (bench/reference).
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importWeightsFile } from '#main/data/weights/import';
import {
  CUSTOM_TEST_CONFIG,
  requireTorch,
  writeCheckpoints,
  writeDict,
} from '#main/data/weights/test-fixtures';
import { initBackend } from '#main/engine/backend/index';
import { decodeSafetensors } from '#main/engine/checkpoint/safetensors';
import { loadSession } from '#main/engine/session';
import { referenceParity, writeCase } from './weights-parity-case';

let dir: string;
const file = (n: string) => path.join(dir, n);
const fairseq = (name: string, args: Record<string, unknown>) => ({
  path: file(`${name}/checkpoint.pt`),
  layout: 'fairseq' as const,
  dtype: 'fp32' as const,
  args,
});

beforeAll(async () => {
  requireTorch();
  await initBackend({ prefer: 'cpu', strict: true });
  dir = mkdtempSync(path.join(tmpdir(), 'bw-flags-'));
  const names = ['entangled', 'disentangled', 'refused'];
  for (const n of names) mkdirSync(file(n));
  writeCheckpoints(dir, [
    {
      config: CUSTOM_TEST_CONFIG,
      seed: 4,
      files: [
        fairseq('entangled', { disable_entangle: false, scale_attn: true, token_bucket_size: 16 }),
        fairseq('disentangled', { disable_entangle: true }),
        fairseq('refused', { scale_attn: false, resnet_type: 'resnet101', image_bucket_size: 42 }),
      ],
    },
  ]);
  for (const n of names) writeDict(file(`${n}/dict.txt`), 20);
}, 300_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('architecture flags of a fairseq checkpoint', () => {
  it('disable_entangle false: entangled positions applied, the engine matches PyTorch to 1e-4; the report lists the flags read', async () => {
    const cases: [string, string][] = [];
    const flagsOf: Record<string, unknown>[] = [];
    for (const n of ['entangled', 'disentangled']) {
      const r = await importWeightsFile({ path: file(`${n}/checkpoint.pt`), destDir: file(`${n}-out`) });
      expect(r.ok, JSON.stringify(r.report.problems)).toBe(true);
      flagsOf.push(Object.fromEntries((r.report.flags ?? []).map((f) => [f.name, f.outcome])));
      expect(r.detection.architecture?.config.entanglePosition ?? false).toBe(n === 'entangled');
      const session = await loadSession(file(`${n}-out`), { backend: 'cpu' });
      expect(session.config.entanglePosition ?? false).toBe(n === 'entangled');
      writeCase(session, file(`${n}-case.safetensors`));
      session.dispose();
      cases.push([file(`${n}-case.safetensors`), file(`${n}/checkpoint.pt`)]);
    }
    expect(flagsOf[0]).toMatchObject({
      disable_entangle: 'applied',
      scale_attn: 'matches',
      token_bucket_size: 'matches',
      attn_scale_factor: 'applied',
      patch_image_size: 'applied',
      scale_fc: 'assumed',
      resnet_type: 'assumed',
    });
    expect(flagsOf[1]).toMatchObject({ disable_entangle: 'matches' });
    const [ent, dis] = referenceParity(cases);
    console.log(
      `entangled parity: max abs diff ${ent?.maxAbsDiff.toExponential(2)}, max |logit| ${ent?.maxAbsLogit.toFixed(2)}`,
    );
    expect(ent?.maxAbsLogit).toBeGreaterThan(0.5);
    expect(ent?.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    expect(dis?.maxAbsDiff).toBeLessThanOrEqual(1e-4);
    // the variant matters: the same weights (one seed) give other logits disentangled
    const logits = (n: string) =>
      decodeSafetensors(readFileSync(file(`${n}-case.safetensors`))).tensors.get('logits')
        ?.data as Float32Array;
    const a = logits('entangled');
    const b = logits('disentangled');
    expect(Math.max(...a.map((x, i) => Math.abs(x - (b[i] ?? 0))))).toBeGreaterThan(1e-2);
  }, 300_000);

  it('refuses flags the engine does not implement, by name, and stores nothing', async () => {
    const r = await importWeightsFile({ path: file('refused/checkpoint.pt'), destDir: file('refused-out') });
    expect(r.ok).toBe(false);
    expect(r.stored).toBeNull();
    const refused = (r.report.flags ?? []).filter((f) => f.outcome === 'refused').map((f) => f.name);
    expect(refused.sort()).toEqual(['image_bucket_size', 'resnet_type', 'scale_attn']);
    for (const name of refused) expect(r.report.problems.some((p) => p.startsWith(`${name} = `))).toBe(true);
  }, 120_000);
});
