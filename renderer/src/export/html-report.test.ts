import { describe, expect, it } from 'vitest';
import { htmlReport } from './html-report';

describe('htmlReport', () => {
  it('is one self-contained page with the table, figures and config differences, escaped', () => {
    const html = htmlReport({
      title: 'VQA-RAD <scales>',
      table: {
        caption: 'c',
        columns: ['Run', 'accuracy'],
        rows: [['a & b', 0.5]],
        intervals: [[null, [0.4, 0.6]]],
        best: new Set(['0:1']),
      },
      figures: [{ title: 'Scaling', svg: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' }],
      diff: [{ key: 'scale', values: ['cpu-xs', 'cpu-s'] }],
      runNames: ['a', 'b'],
      generatedAt: '2026-11-28',
    });
    expect(html).toContain('<title>VQA-RAD &lt;scales&gt;</title>');
    expect(html).toContain('<td>a &amp; b</td>');
    expect(html).toContain('<td class="num best">0.500 <small>[0.400, 0.600]</small></td>');
    expect(html).toContain('<svg xmlns');
    expect(html).toContain('<td>cpu-s</td>');
    expect(html).not.toContain('<script');
  });
});
