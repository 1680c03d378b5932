/** One line of a chart: x and y of equal length, x ascending. */
export interface Line {
  readonly label: string;
  readonly x: readonly number[];
  readonly y: readonly (number | null)[];
  /** A reference figure (published or the user's own), drawn dashed: never a run. */
  readonly reference?: boolean;
  /** Where a reference line's figures come from (exported figures print it). */
  readonly source?: string;
  /** The example count(s) its figures are over, as text ("451", "451, 2,000"). */
  readonly n?: string;
}

/**
 * uPlot wants one shared x axis: the union of every line's x, with null where a line has no
 * point (drawn with gaps spanned). Runs log metrics at different steps, so this is the norm.
 */
export function alignLines(lines: readonly Line[]): { x: number[]; ys: (number | null)[][] } {
  const xs = new Set<number>();
  for (const l of lines) for (const v of l.x) xs.add(v);
  const x = [...xs].sort((a, b) => a - b);
  const index = new Map(x.map((v, i) => [v, i]));
  const ys = lines.map((l) => {
    const y: (number | null)[] = new Array(x.length).fill(null);
    l.x.forEach((v, i) => {
      y[index.get(v)!] = l.y[i] ?? null;
    });
    return y;
  });
  return { x, ys };
}
