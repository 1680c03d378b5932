import { describe, expect, it } from 'vitest';
import { linesToSvg } from './svg';

describe('linesToSvg', () => {
  it('draws one polyline per line, a legend entry each, and escapes text', () => {
    const svg = linesToSvg(
      [
        { label: 'VQA-RAD <test>', x: [1e6, 1e7, 1e8], y: [0.4, 0.5, 0.6] },
        { label: 'SLAKE', x: [1e6, 1e8], y: [0.3, null] },
      ],
      { title: 'Scaling', xLabel: 'parameters', yLabel: 'accuracy', logX: true },
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<polyline/g)).toHaveLength(1); // the second line has a single point
    expect(svg).toContain('VQA-RAD &lt;test&gt;');
    expect(svg).toContain('SLAKE');
    // log x: 1e7 sits halfway between 1e6 and 1e8
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(xs[1]! - xs[0]!).toBeCloseTo(xs[2]! - xs[1]!, 0);
  });
});
