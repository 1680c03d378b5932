import type { WeightsLoadReport } from '#shared/domain/weights';
import type { ModelConfig } from '#shared/model/config';
import { SHARED_EMBEDDING, type WeightSpec, weightShapes } from '#shared/model/weight-shapes';

/** Keys the model recomputes (index buffers) or that carry no weights. */
const RECOMPUTED = /_rp_bucket$|(^|\.)image_position_idx$/;
const VERSION = /(^|\.)version$/;

/** Where each stored weight comes from in the file. */
export interface LoadPlan {
  readonly report: WeightsLoadReport;
  /** Stored weight -> the file key holding it (the shared embedding may come from an alias). */
  readonly sources: ReadonlyMap<string, string>;
  /** Alias keys present in the file, to check against the shared embedding's values. */
  readonly aliases: readonly string[];
  readonly specs: readonly WeightSpec[];
}

/**
 * Classifies every key of the file against the weights of `config`: matched, wrong shape,
 * unexpected, or ignored (recomputed buffers, `version`, tied aliases); and lists the model's
 * weights the file lacks. The shared embedding may come from any of its three names.
 */
export function planLoad(
  shapes: ReadonlyMap<string, readonly number[]>,
  config: ModelConfig,
  renamed: number,
): LoadPlan {
  const all = weightShapes(config);
  const byName = new Map(all.map((s) => [s.name, s]));
  const report: WeightsLoadReport = {
    matched: [],
    missing: [],
    unexpected: [],
    wrongShape: [],
    ignored: [],
    renamed,
    problems: [],
    totalKeys: shapes.size,
  };
  const aliases: string[] = [];
  for (const [key, shape] of shapes) {
    const spec = byName.get(key);
    if (!spec) {
      if (VERSION.test(key)) report.ignored.push({ key, reason: 'version' });
      else if (RECOMPUTED.test(key)) report.ignored.push({ key, reason: 'recomputed' });
      else report.unexpected.push(key);
      continue;
    }
    if (spec.shape.join(',') !== shape.join(',')) {
      report.wrongShape.push({ key, expected: [...spec.shape], actual: [...shape] });
      continue;
    }
    if (spec.tiedTo) {
      report.ignored.push({ key, reason: 'alias' });
      aliases.push(key);
    }
  }
  const sources = new Map<string, string>();
  const wrong = new Set(report.wrongShape.map((w) => w.key));
  for (const spec of all) {
    if (spec.tiedTo) continue;
    if (shapes.has(spec.name)) {
      if (!wrong.has(spec.name)) {
        report.matched.push(spec.name);
        sources.set(spec.name, spec.name);
      }
      continue;
    }
    const alias = spec.name === SHARED_EMBEDDING ? aliases[0] : undefined;
    if (alias) {
      report.matched.push(spec.name);
      sources.set(spec.name, alias);
    } else report.missing.push(spec.name);
  }
  return {
    report,
    sources,
    aliases: aliases.filter((a) => a !== sources.get(SHARED_EMBEDDING)),
    specs: all.filter((s) => !s.tiedTo),
  };
}

/** True when nothing stops the weights from loading. */
export function loadsCompletely(r: WeightsLoadReport): boolean {
  return !r.missing.length && !r.unexpected.length && !r.wrongShape.length && !r.problems.length;
}

/** One line naming the first problems (for errors). */
export function describeProblems(r: WeightsLoadReport, limit = 6): string {
  const parts = [
    ...r.problems,
    ...r.missing.map((k) => `missing ${k}`),
    ...r.wrongShape.map((w) => `${w.key} is [${w.actual}], the model needs [${w.expected}]`),
    ...r.unexpected.map((k) => `unexpected ${k}`),
  ];
  const more = parts.length > limit ? ` (and ${parts.length - limit} more)` : '';
  return `${parts.slice(0, limit).join('; ')}${more}`;
}
