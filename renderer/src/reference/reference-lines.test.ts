import { describe, expect, it } from 'vitest';
import { PUBLISHED_REFERENCE_ROWS } from '#shared/reference/published';
import { referenceLines } from './reference-lines';

describe('referenceLines', () => {
  it('draws the published zero-shot VQA-RAD figures as labelled reference lines over parameters', () => {
    const lines = referenceLines(PUBLISHED_REFERENCE_ROWS, 'accuracy', ['vqa_rad']);
    const instruct = lines.find((l) =>
      l.label.startsWith('reference: Instruct-BiomedGPT, VQA-RAD zero-shot'),
    );
    expect(instruct).toMatchObject({
      label: 'reference: Instruct-BiomedGPT, VQA-RAD zero-shot',
      x: [33e6, 93e6, 182e6],
      reference: true,
    });
    expect(instruct?.y.map((v) => v?.toFixed(3))).toEqual(['0.421', '0.497', '0.521']);
    // GPT-4V gives no parameter count: table only, no point
    expect(lines.some((l) => l.label.includes('GPT-4V'))).toBe(false);
    expect(lines.find((l) => l.label.includes('BiomedGPT (fine-tuned)'))?.label).toContain('(as quoted)');
    expect(lines.every((l) => l.reference)).toBe(true);
  });
  it('shows nothing for datasets or metrics without published figures', () => {
    expect(referenceLines(PUBLISHED_REFERENCE_ROWS, 'accuracy', ['MeQSum'])).toEqual([]);
    expect(referenceLines(PUBLISHED_REFERENCE_ROWS, 'rougeL', ['VQA-RAD'])).toEqual([]);
  });
});

describe('sourceSpans', () => {
  it('merges the source cell of consecutive rows from one source', async () => {
    const { sourceSpans } = await import('./reference-table');
    const rows = PUBLISHED_REFERENCE_ROWS.filter((r) => r.dataset === 'VQA-RAD');
    const spans = sourceSpans(rows);
    expect(spans[0]).toBe(12); // the six instruction-tuned models, accuracy and context-related
    expect(spans.slice(1, 12).every((s) => s === 0)).toBe(true);
    expect(spans.reduce((a, b) => a + b, 0)).toBe(rows.length);
  });
});
