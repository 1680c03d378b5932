import { parseArgs } from 'node:util';
import { type CliIO, type Command, UsageError } from '#main/cli/command';
import { formatTable } from '#main/cli/table';
import { adapterLine, listBackends } from '#main/engine/backend/index';
import { estimateMemory } from '#shared/model/memory';
import { PRESET_NAMES, PRESETS } from '#shared/model/presets';
import { parameterCount } from '#shared/model/weight-shapes';

/** Every preset with its shapes, parameter count and training-memory estimate (batch 8). */
export function presetRows() {
  return PRESET_NAMES.map((name) => {
    const c = PRESETS[name];
    const memory = estimateMemory(c, { batchSize: 8, sourceLength: 64, targetLength: 32, training: true });
    return {
      name,
      dModel: c.dModel,
      ffn: c.ffn,
      heads: c.heads,
      encLayers: c.encLayers,
      decLayers: c.decLayers,
      resnetBlocks: c.resnetBlocks,
      resnetWidth: c.resnetWidth,
      imageSize: c.imageSize,
      vocabSize: c.vocabSize,
      parameters: parameterCount(c),
      trainingMemoryBytes: Math.round(memory.totalBytes),
    };
  });
}

async function presets(argv: readonly string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { json: { type: 'boolean' } } });
  const rows = presetRows();
  if (values.json) {
    io.out(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  io.out(
    `${formatTable(
      ['preset', 'd', 'ffn', 'heads', 'enc/dec', 'resnet', 'image', 'vocab', 'parameters', 'train mem (b8)'],
      rows.map((r) => [
        r.name,
        String(r.dModel),
        String(r.ffn),
        String(r.heads),
        `${r.encLayers}/${r.decLayers}`,
        `${r.resnetBlocks.join(',')} w${r.resnetWidth}`,
        `${r.imageSize}px`,
        r.vocabSize.toLocaleString('en'),
        `${(r.parameters / 1e6).toFixed(2)}M`,
        `${(r.trainingMemoryBytes / 2 ** 30).toFixed(2)} GiB`,
      ]),
    )}\n`,
  );
  io.out(
    'CPU rungs use a trimmed vocabulary at run time; their parameter count here assumes 4,096 tokens.\n',
  );
  return 0;
}

async function backends(_argv: readonly string[], io: CliIO): Promise<number> {
  const info = await listBackends();
  io.out(`chosen: ${info.name} ${info.version} on ${info.device}, ${info.threads} thread(s)\n`);
  for (const b of info.available) {
    io.out(`  ${b.ok ? '+' : '-'} ${b.name.padEnd(11)} ${b.ok ? 'available' : b.reason}\n`);
    if (b.adapter) io.out(`      adapter: ${adapterLine(b.adapter)}\n`);
  }
  io.out('Override with BIOMED_BACKEND=node-gpu|webgpu|tensorflow|wasm|cpu.\n');
  return 0;
}

/** `biomed model presets|backends`. */
export const modelCommand: Command = {
  name: 'model',
  summary: 'Model presets (shapes, parameters) and compute backends',
  usage: 'biomed model presets [--json] | biomed model backends',
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'presets') return presets(rest, io);
    if (sub === 'backends') return backends(rest, io);
    throw new UsageError(`Unknown subcommand "${sub ?? ''}"`);
  },
};
