import { parseArgs } from 'node:util';
import type { CliIO, Command } from '#main/cli/command';
import { UsageError } from '#main/cli/command';
import { openCliWorkbench } from '#main/cli/open-home';
import { formatTable } from '#main/cli/table';
import { WorkbenchError } from '#shared/api/errors';
import type { WeightsLoadReport } from '#shared/domain/weights';

const USAGE = [
  'biomed weights import FILE [--dict F] [--name N] [--dry-run] [--json]',
  '       biomed weights list [--json]',
  '       biomed weights delete ID',
  'FILE: a fairseq .pt (BiomedGPT S/M/B/Large/XLarge), a pytorch_model.bin or a .safetensors file;',
  '--dict: the fairseq dict.txt it was trained with (default: dict.txt beside FILE).',
].join('\n');

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function reportLines(r: WeightsLoadReport): string {
  const lines = [
    `${r.totalKeys} keys: ${r.matched.length} matched, ${r.ignored.length} ignored (recomputed buffers, tied aliases, version), ` +
      `${r.missing.length} missing, ${r.unexpected.length} unexpected, ${r.wrongShape.length} of the wrong shape` +
      (r.renamed ? `; ${r.renamed} Hugging Face names mapped` : ''),
    ...r.problems.map((p) => `problem: ${p}`),
    ...r.missing.map((k) => `missing: ${k}`),
    ...r.wrongShape.map((w) => `wrong shape: ${w.key} is [${w.actual}], the model needs [${w.expected}]`),
    ...r.unexpected.map((k) => `unexpected: ${k}`),
  ];
  return `${lines.join('\n')}\n`;
}

async function importCmd(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      dict: { type: 'string' },
      name: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
  });
  const path = positionals[0];
  if (!path || positionals.length > 1) throw new UsageError('Give exactly one FILE to import');
  const ctx = openCliWorkbench(io);
  const stop = ctx.events.subscribe((event, payload) => {
    if (values.json || event !== 'onDidWeightsImportProgress') return;
    const p = payload as { phase: string; done: number; total: number; message: string };
    if (p.phase === 'convert' && p.total > 0 && Math.round((100 * p.done) / p.total) % 10 !== 0) return;
    io.err(`${p.phase}: ${p.phase === 'convert' ? `${mb(p.done)} of ${mb(p.total)}` : p.message}\n`);
  });
  try {
    const r = await ctx.invoke('weights.import', {
      path,
      ...(values.dict ? { dictPath: values.dict } : {}),
      ...(values.name ? { name: values.name } : {}),
      dryRun: values['dry-run'] ?? false,
    });
    if (values.json) {
      io.out(`${JSON.stringify(r, null, 2)}\n`);
      return r.ok ? 0 : 1;
    }
    const d = r.detection;
    const arch = d.architecture;
    io.out(
      `${r.dryRun ? (r.ok ? 'Would import' : 'Would not import') : 'Imported'} ${d.sourcePath} (${d.sourceFormat}, ${d.dtype}, ` +
        `${d.emaUsed ? `EMA weights (${d.tensorSource})` : 'model weights'})` +
        (arch ? `: ${arch.preset}, ${d.parameterCount.toLocaleString('en')} parameters` : '') +
        (d.vocabulary ? `, vocabulary ${d.vocabulary.size.toLocaleString('en')} ids` : '') +
        (r.record ? ` as ${r.record.id} "${r.record.name}" (${mb(r.record.storedBytes)})` : '') +
        '\n',
    );
    io.out(reportLines(r.report));
    return r.ok ? 0 : 1;
  } catch (err) {
    if (values.json && err instanceof WorkbenchError) {
      io.out(`${JSON.stringify({ error: err.toPayload() }, null, 2)}\n`);
      return 1;
    }
    throw err;
  } finally {
    stop();
    ctx.close();
  }
}

/** `biomed weights ...`: import published BiomedGPT weights, list and delete them. */
export const weightsCommand: Command = {
  name: 'weights',
  summary: 'Import published BiomedGPT / OFA weights, list and delete them (`biomed weights --help`)',
  usage: USAGE,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'import') return importCmd(rest, io);
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { json: { type: 'boolean' } },
    });
    const ctx = openCliWorkbench(io);
    try {
      if (sub === 'list') {
        const list = await ctx.invoke('weights.list', {});
        if (values.json) io.out(`${JSON.stringify(list, null, 2)}\n`);
        else if (list.length === 0)
          io.out('No imported weights. Import with `biomed weights import FILE`.\n');
        else {
          const rows = list.map((w) => [
            w.id,
            w.name,
            w.architecture.preset,
            w.parameterCount.toLocaleString('en'),
            `${w.sourceFormat} ${w.dtype}${w.emaUsed ? ' EMA' : ''}`,
            String(w.vocabulary.size),
            w.createdAt.slice(0, 16).replace('T', ' '),
          ]);
          io.out(`${formatTable(['id', 'name', 'arch', 'params', 'source', 'vocab', 'imported'], rows)}\n`);
        }
        return 0;
      }
      if (sub === 'delete') {
        const id = positionals[0];
        if (!id) throw new UsageError('Give the id of the weights to delete');
        const r = await ctx.invoke('weights.delete', { id });
        io.out(`Deleted ${r.id} (${mb(r.bytesRemoved)})\n`);
        return 0;
      }
      throw new UsageError(`Unknown subcommand "${sub ?? ''}"`);
    } finally {
      ctx.close();
    }
  },
};
