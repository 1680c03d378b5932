/** One configuration key whose value is not the same in every run. */
export interface DiffRow {
  readonly key: string;
  /** Display value per run, in the order the configs were given (`—` where absent). */
  readonly values: readonly string[];
}

/** Flattens nested objects to dotted keys; arrays and scalars are leaves shown as JSON. */
export function flatten(
  value: unknown,
  prefix = '',
  out: Map<string, string> = new Map(),
): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
    }
    if (prefix && Object.keys(value as object).length === 0) out.set(prefix, '{}');
  } else if (prefix) {
    out.set(
      prefix,
      typeof value === 'string'
        ? value
        : typeof value === 'number'
          ? String(Number(value.toPrecision(6)))
          : JSON.stringify(value),
    );
  }
  return out;
}

/** The keys whose values differ between configs, sorted by key; identical keys are left out. */
export function configDiff(configs: readonly unknown[], ignore: RegExp = /^estimate\./): DiffRow[] {
  const flat = configs.map((c) => flatten(c));
  const keys = new Set<string>();
  for (const f of flat) for (const k of f.keys()) keys.add(k);
  const rows: DiffRow[] = [];
  for (const key of [...keys].sort()) {
    if (ignore.test(key)) continue;
    const values = flat.map((f) => f.get(key) ?? '—');
    if (new Set(values).size > 1) rows.push({ key, values });
  }
  return rows;
}
