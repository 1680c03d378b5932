import { parseArgs } from 'node:util';
import type { Command } from '#main/cli/command';
import { UsageError } from '#main/cli/command';
import { followProgress, untilIdle } from '#main/cli/follow';
import { formatCi } from '#main/cli/metrics-format';
import { openCliWorkbench } from '#main/cli/open-home';
import { resolveDataset, resolveWeights } from '#main/cli/resolve';
import type { Workbench } from '#main/services/open';
import type { Reproduction } from '#shared/domain/reproduction';
import { describePipeline } from '#shared/evaluation-pipelines';

/** A reference row by id, or by a unique part of its id. */
async function resolveRow(ctx: Workbench, ref: string): Promise<string> {
  const rows = await ctx.invokeFromUser('referenceRows.list', {});
  const exact = rows.find((r) => r.id === ref);
  if (exact) return exact.id;
  const hits = rows.filter((r) => r.id.toLowerCase().includes(ref.toLowerCase()));
  if (hits.length === 1) return hits[0]!.id;
  if (hits.length === 0) throw new UsageError(`No reference row "${ref}"`);
  throw new UsageError(`"${ref}" matches ${hits.length} reference rows: ${hits.map((r) => r.id).join(', ')}`);
}

/** The row and the reproduction side by side, with the settings used. */
export function formatReproduction(r: Reproduction): string {
  const p = r.result.published;
  const d = r.plan.decoding;
  return [
    `Reference  ${r.row.model} · ${r.row.dataset} ${r.row.split} · ${r.row.metric} ${r.row.valueText ?? p.value}${p.low !== null ? ` [95% CI ${p.low.toFixed(3)}, ${p.high?.toFixed(3)}]` : ''}`,
    `           ${r.row.citation}`,
    `Settings   ${r.plan.mode}, ${d.strategy} beam ${d.beam}, max length ${d.maxLength}, no-repeat ${d.noRepeatNgram}, lenpen ${d.lenpen}; ${describePipeline(r.plan.pipeline)}`,
    `Reproduced ${r.evaluation.weightsName ?? r.evaluation.weightsId ?? ''} on ${r.evaluation.datasetName ?? r.evaluation.datasetId}/${r.evaluation.split}: ${r.row.metric} ${formatCi(r.result.measured ?? undefined)} (evaluation ${r.evaluation.id})`,
    `Verdict    ${r.result.verdict}: ${r.result.basis}`,
    '',
  ].join('\n');
}

/** `biomed reproduce`: re-measure a reference row with imported weights on an imported dataset. */
export const reproduceCommand: Command = {
  name: 'reproduce',
  summary:
    "Reproduce a reference row: its script's decoding and metrics on given weights and dataset, with a verdict",
  usage: 'biomed reproduce ROW --weights W --dataset D [--split test] [--limit N] [--json]',
  async run(argv, io) {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        weights: { type: 'string' },
        dataset: { type: 'string' },
        split: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
      },
    });
    const [row] = positionals;
    if (!row || !values.weights || !values.dataset)
      throw new UsageError('a reference row, --weights and --dataset are required');
    const ctx = openCliWorkbench(io, 'browser', { runJobs: true });
    try {
      const started = await ctx.invokeFromUser('referenceRows.reproduce', {
        rowId: await resolveRow(ctx, row),
        weightsId: resolveWeights(ctx, values.weights),
        datasetId: resolveDataset(ctx, values.dataset),
        ...(values.split ? { split: values.split } : {}),
        ...(values.limit ? { limit: Number(values.limit) } : {}),
      });
      const stop = followProgress(ctx, io);
      await untilIdle(ctx);
      stop();
      const r = await ctx.invokeFromUser('referenceRows.reproduction', {
        evaluationId: started.evaluation.id,
      });
      io.out(values.json ? `${JSON.stringify(r, null, 2)}\n` : formatReproduction(r));
      return r.evaluation.status === 'succeeded' ? 0 : 1;
    } finally {
      ctx.close();
    }
  },
};
