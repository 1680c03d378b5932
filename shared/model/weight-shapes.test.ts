import { describe, expect, it } from 'vitest';
import { estimateMemory, fitsDevice, presetMemoryEstimates } from './memory';
import { FAIRSEQ_VOCAB_SIZE, PRESETS, presetConfig } from './presets';
import { numel, parameterCount, weightShapes } from './weight-shapes';

describe('parameterCount', () => {
  const expected = { S: 33.5, M: 92.9, Base: 182.2, Large: 473.0, XLarge: 929.5 } as const;
  for (const [name, millions] of Object.entries(expected)) {
    it(`${name} is within 0.5% of ${millions}M (vocab ${FAIRSEQ_VOCAB_SIZE})`, () => {
      const n = parameterCount(PRESETS[name as keyof typeof expected]);
      expect(Math.abs(n / 1e6 - millions) / millions).toBeLessThan(0.005);
    });
  }

  it('counts the key sets of spec/ofa-state-dict.md §2f (minus 7 recomputed buffers)', () => {
    // tiny 543, medium 849, base 967, large 1627, huge 1903 keys including version/rp buffers
    expect(weightShapes(PRESETS.S)).toHaveLength(543 - 7);
    expect(weightShapes(PRESETS.M)).toHaveLength(849 - 7);
    expect(weightShapes(PRESETS.Base)).toHaveLength(967 - 7);
    expect(weightShapes(PRESETS.Large)).toHaveLength(1627 - 7);
    expect(weightShapes(PRESETS.XLarge)).toHaveLength(1903 - 7);
  });

  it('names the spec keys with PyTorch shapes', () => {
    const byName = new Map(weightShapes(PRESETS.S).map((w) => [w.name, w]));
    expect(byName.get('encoder.embed_tokens.weight')?.shape).toEqual([59457, 256]);
    expect(byName.get('encoder.layers.3.self_attn.k_proj.weight')?.shape).toEqual([256, 256]);
    expect(byName.get('encoder.layers.0.fc1.weight')?.shape).toEqual([1024, 256]);
    expect(byName.get('encoder.embed_images.layer1.0.conv1.weight')?.shape).toEqual([64, 64, 1, 1]);
    expect(byName.get('encoder.embed_images.layer3.0.downsample.0.weight')?.shape).toEqual([1024, 512, 1, 1]);
    expect(byName.get('encoder.embed_images.layer3.5.bn3.running_var')?.kind).toBe('buffer');
    expect(byName.get('encoder.image_proj.weight')?.shape).toEqual([256, 1024]);
    expect(byName.get('encoder.embed_positions.weight')?.shape).toEqual([1026, 256]);
    expect(byName.get('encoder.embed_image_positions.weight')?.shape).toEqual([1765, 256]);
    expect(byName.get('decoder.token_rel_pos_table_list.3.weight')?.shape).toEqual([511, 4]);
    expect(byName.get('decoder.image_rel_pos_table_list.0.weight')?.shape).toEqual([6892, 4]);
    expect(byName.get('decoder.output_projection.weight')?.tiedTo).toBe('encoder.embed_tokens.weight');
    expect(byName.get('decoder.layers.1.encoder_attn.c_attn')?.shape).toEqual([4]);
  });

  it('has unique names', () => {
    const names = weightShapes(PRESETS.Base).map((w) => w.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('CPU rungs', () => {
  it('span at least 8x in parameters, smallest first', () => {
    const xs = parameterCount(PRESETS['cpu-xs']);
    const s = parameterCount(PRESETS['cpu-s']);
    const m = parameterCount(PRESETS['cpu-m']);
    expect(xs).toBeLessThan(s);
    expect(s).toBeLessThan(m);
    expect(m / xs).toBeGreaterThanOrEqual(8);
  });

  it('follow a smaller vocabulary', () => {
    const a = parameterCount(presetConfig('cpu-xs', { vocabSize: 1000 }));
    const b = parameterCount(presetConfig('cpu-xs', { vocabSize: 2000 }));
    expect(b - a).toBe(1000 * 64);
  });
});

describe('estimateMemory', () => {
  it('grows with batch and counts Adam state', () => {
    const w = { batchSize: 8, sourceLength: 40, targetLength: 10, training: true } as const;
    const a = estimateMemory(PRESETS.Base, w);
    const b = estimateMemory(PRESETS.Base, { ...w, batchSize: 16 });
    expect(b.activationBytes).toBeCloseTo(2 * a.activationBytes, 0);
    expect(a.optimizerBytes).toBe(2 * a.paramBytes);
    expect(a.paramBytes).toBe(parameterCount(PRESETS.Base) * 4);
    expect(fitsDevice(estimateMemory(PRESETS.XLarge, { ...w, batchSize: 64 }), 24 * 2 ** 30)).toBe(false);
    expect(fitsDevice(estimateMemory(PRESETS['cpu-xs'], w), 24 * 2 ** 30)).toBe(true);
  });

  it('budgets more for TensorFlow.js WebAssembly than for native runtimes', () => {
    const w = { batchSize: 8, sourceLength: 14, targetLength: 4, training: true } as const;
    // the architecture that was measured: cpu-m with S's ResNet stages (before issue 25)
    const measured = presetConfig('cpu-m', { resnetBlocks: [3, 4, 6] });
    const native = estimateMemory(measured, w);
    const wasm = estimateMemory(measured, { ...w, runtime: 'wasm' });
    expect(wasm.activationBytes).toBeGreaterThan(4 * native.activationBytes);
    // measured peak WebAssembly heap for that cpu-m, batch 8, VQA-RAD: 1,798 MiB
    expect(wasm.totalBytes / 2 ** 20).toBeGreaterThan(1798);
  });

  it('orders the presets by memory', () => {
    const e = presetMemoryEstimates(PRESETS, {
      batchSize: 8,
      sourceLength: 40,
      targetLength: 10,
      training: true,
    });
    const order = ['cpu-xs', 'cpu-s', 'cpu-m', 'S', 'M', 'Base', 'Large', 'XLarge'].map(
      (n) => e[n]?.totalBytes ?? 0,
    );
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1] ?? 0);
  });

  it('needs no tensors: sums shapes only', () => {
    expect(numel([2, 3, 4])).toBe(24);
    expect(numel([])).toBe(1);
  });
});
